print("chatty-bench: not yet implemented")
