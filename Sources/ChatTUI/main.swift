print("chatty")
