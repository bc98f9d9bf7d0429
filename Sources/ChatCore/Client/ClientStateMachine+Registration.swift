/// Server lines while registering: the `RegistrationStateMachine` and what follows `001`.
extension ClientStateMachine {
    // MARK: - Registration

    mutating func registeringMessage(
        _ message: IRCMessage, registering: inout Registering, now: Timestamp
    ) -> [ClientAction] {
        let action: RegistrationStateMachine.Action
        switch message.command {
        case "PING":
            return [.send(IRCMessage("PONG", message.parameters.last ?? ""))]
        case "CAP":
            action = registering.registration.capReceived(message)
        case "001":
            action = registering.registration.welcomeReceived(message)
        case "433", "436":
            action = registering.registration.nickRejected(message, erroneous: false)
        case "432":
            action = registering.registration.nickRejected(message, erroneous: true)
        case "421" where Self.isAboutCAP(message), "451" where Self.isAboutCAP(message):
            action = registering.registration.capabilitiesUnsupported()
        case "AUTHENTICATE":
            action = registering.registration.authenticateReceived(message)
        case "900", "902", "903", "904", "905", "906", "907", "908":
            action = registering.registration.saslNumeric(message)
            if case .none = action { return [] }
        case "ERROR":
            return [.emit(.serverError(message.parameters.last ?? ""))]
        default:
            return translator(ownNick: registering.registration.nick).generic(message, now: now)
        }

        switch action {
        case .none:
            return []
        case .send(let messages):
            return messages.map(ClientAction.send)
        case .nickRejected(let rejected, let retry, let reason):
            let code = Int(message.command) ?? 433
            return [
                .emit(.numericError(code: code, text: "\(rejected): \(reason)")),
                .send(retry),
            ]
        case .loggedIn(let account, let send):
            return [.emit(.loggedIn(account: account))] + send.map(ClientAction.send)
        case .loginFailed(let reason, let send):
            let account = configuration.sasl?.account ?? "?"
            return [.emit(.error("SASL login as \(account) failed: \(reason); continuing without an account"))]
                + send.map(ClientAction.send)
        case .upgrade(let port):
            state = .closing(.connectNow)
            return [
                .emit(.serverInfo(code: nil, text: "The server asks for TLS (sts): reconnecting securely to port \(port)")),
                .upgradeToTLS(port: port), .cancelTimer, .close,
            ]
        case .fail(let reason):
            state = .closing(.disconnect(reason: reason))
            return [
                .emit(.error(reason)), .emit(.stateChanged(.disconnecting)), .cancelTimer, .send(IRCMessage("QUIT")),
                .close,
            ]
        case .registered(let nick, let capabilities, let offered):
            backoff.reset()
            var session = Session(
                nick: nick,
                capabilities: CapabilityTracker(enabled: Set(capabilities), wanted: configuration.requestedCapabilities),
                keepalive: PeerKeepalive(
                    configuration: configuration.keepalive, now: now.millisecondsSinceEpoch
                )
            )
            if capabilities.contains("draft/multiline"), capabilities.contains("batch") {
                session.multiline = offered["draft/multiline"].flatMap(MultilineLimits.init(capabilityValue:))
            }
            state = .registered(session)
            var actions: [ClientAction] = [
                .emit(.serverInfo(code: 1, text: MessageTranslator.numericText(message))),
                .emit(.stateChanged(.registered(nick: nick))),
            ]
            if let policy = registering.registration.announcedPolicy {
                actions.append(.rememberSTS(policy))
            }
            for channel in channelsToJoin {
                if let key = channelKeys[serverSupport.caseMapping.fold(channel)] {
                    actions.append(.send(IRCMessage("JOIN", channel, key)))
                } else {
                    actions.append(.send(IRCMessage("JOIN", channel)))
                }
            }
            var watch = monitored
            if !isSameNick(nick, preferredNick) {
                // Registered as a fallback because our nick was still held (often by our own
                // connection that has not timed out yet): take it back once it is free.
                session.reclaimNick = preferredNick
                state = .registered(session)
                if !watch.contains(where: { isSameNick($0, preferredNick) }) { watch.append(preferredNick) }
            }
            if !watch.isEmpty, let limit = serverSupport.monitorLimit {
                actions.append(.send(IRCMessage("MONITOR", "+", watch.prefix(limit).joined(separator: ","))))
                if session.reclaimNick != nil {
                    session.reclaimWatched = true
                    state = .registered(session)
                }
            }
            // Private conversations of an earlier run come back; those of this run catch up here;
            // channels do when their JOIN comes back.
            if let request = history.targetsRequest(now: now, supported: historySupported(session)) {
                actions.append(.send(request))
            }
            for nick in history.privateConversationsToResume(channels: { serverSupport.isChannel($0) }) {
                if let request = history.opened(nick, key: nick, supported: historySupported(session)) {
                    actions.append(.send(request))
                }
            }
            actions.append(.scheduleTimer(at: session.keepaliveDeadline))
            return actions
        }
    }
}
