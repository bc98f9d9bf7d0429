/// `labeled-response`: how the replies to a labelled command reach the client that sent it.
enum LabeledResponse {
    /// Wraps the replies to a labelled command as `labeled-response` requires: one reply gets the
    /// label tag, several are wrapped in a `BATCH`, none is answered with `ACK`.
    static func wrap(_ actions: [ServerAction], for id: ClientID, label: String, batch: Bool,
                     source: String, batchReference: String) -> [ServerAction] {
        var others: [ServerAction] = []
        var own: [IRCMessage] = []
        var closing: [ServerAction] = []
        // A history query answers later, labelled by the hub; no ACK now.
        var answeredLater = false
        for action in actions {
            switch action {
            case .send(let message, to: let target) where target == id:
                own.append(message)
            case .deliver(let message, to: let recipients, except: let except) where except != id && recipients.contains(id):
                others.append(.deliver(message, to: recipients, except: id))
                own.append(message)
            case .close(let target, _) where target == id:
                closing.append(action)
            case .registered(let target) where target == id:
                closing.append(action)
            case .queryHistory(let request) where request.client == id:
                answeredLater = true
                others.append(action)
            case .checkPassword(let check) where check.client == id:
                // Answered when the check is done (without the label).
                answeredLater = true
                others.append(action)
            case .send, .deliver, .close, .registered, .propagate, .record, .queryHistory, .saveChannel, .saveReadMarker,
                 .checkPassword, .saveAccount, .redact:
                others.append(action)
            }
        }
        if answeredLater, own.isEmpty {
            return others + closing
        }
        var labelled: [ServerAction] = []
        let labelTag = IRCMessage.Tag("label", label)
        // A message to oneself with echo-message: the copy received plain, the echo labelled.
        if own.count == 2, own[0] == own[1], ["PRIVMSG", "NOTICE", "TAGMSG"].contains(own[0].command) {
            var echo = own[1]
            echo.tags.insert(labelTag, at: 0)
            return others + [.send(own[0], to: id), .send(echo, to: id)] + closing
        }
        switch own.count {
        case 0:
            labelled.append(.send(IRCMessage(tags: [labelTag], source: source, command: "ACK"), to: id))
        case 1:
            var message = own[0]
            message.tags.insert(labelTag, at: 0)
            labelled.append(.send(message, to: id))
        default:
            if batch {
                labelled.append(.send(IRCMessage(tags: [labelTag], source: source, "BATCH", "+" + batchReference, "labeled-response"), to: id))
                for var message in own {
                    message.tags.insert(IRCMessage.Tag("batch", batchReference), at: 0)
                    labelled.append(.send(message, to: id))
                }
                labelled.append(.send(IRCMessage(source: source, "BATCH", "-" + batchReference), to: id))
            } else {
                for (offset, var message) in own.enumerated() {
                    if offset == 0 { message.tags.insert(labelTag, at: 0) }
                    labelled.append(.send(message, to: id))
                }
            }
        }
        return others + labelled + closing
    }
}
