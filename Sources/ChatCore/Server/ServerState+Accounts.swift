/// Accounts: SASL `PLAIN` login, `REGISTER` (IRCv3 `draft/account-registration`), and nicks owned
/// by accounts. Passwords are checked and hashed off the event loop: the state returns a
/// ``ServerAction/checkPassword(_:)`` and the I/O layer answers with ``passwordChecked(_:valid:now:)``
/// or ``accountCreated(_:credentials:now:)``.
extension ServerState {
    /// Accounts kept in the store, loaded at start.
    public mutating func restore(_ kept: [Account]) {
        for account in kept { accounts[CaseMapping.fold(account.name)] = account }
    }

    /// The account that owns `nick`, if any.
    public func owner(ofNick nick: String) -> Account? {
        accounts[CaseMapping.fold(nick)]
    }

    // MARK: AUTHENTICATE

    mutating func handleAuthenticate(_ message: IRCMessage, from id: ClientID, now: Timestamp, into actions: inout [ServerAction]) {
        guard let parameter = message.parameters.first, !parameter.isEmpty else {
            needMoreParams(id, "AUTHENTICATE", into: &actions)
            return
        }
        guard configuration.accounts, client(id)!.capabilities.contains(.sasl) else {
            reply(id, Numeric.saslFailed, "SASL authentication failed", into: &actions)
            return
        }
        if client(id)!.account != nil {
            reply(id, Numeric.saslAlready, "You have already authenticated using SASL", into: &actions)
            return
        }
        var exchange = saslExchanges[id] ?? SASLExchange()
        let action = exchange.received(parameter)
        saslExchanges[id] = exchange
        switch action {
        case .none, .busy:
            break
        case .send(let text):
            actions.append(.send(IRCMessage("AUTHENTICATE", text), to: id))
        case .fail:
            authenticationFailed(id, now: now, into: &actions)
        case .tooLong:
            reply(id, Numeric.saslTooLong, "SASL message too long", into: &actions)
        case .aborted:
            reply(id, Numeric.saslAborted, "SASL authentication aborted", into: &actions)
        case .unknownMechanism:
            reply(id, Numeric.saslMechanisms, SASLExchange.mechanisms, "are available SASL mechanisms", into: &actions)
            reply(id, Numeric.saslFailed, "SASL authentication failed", into: &actions)
        case .checkCertificate(let name):
            saslExchanges[id]?.finished()
            // The named account must list the certificate; unnamed, exactly one account may.
            let matching = clientCertificates[id].map { fingerprint in
                name.flatMap { accounts[CaseMapping.fold($0)] }.map { $0.certificates.contains(fingerprint) ? [$0] : [] }
                    ?? accounts.values.filter { $0.certificates.contains(fingerprint) }
            } ?? []
            guard matching.count == 1, let account = matching.first else {
                authenticationFailed(id, now: now, into: &actions)
                return
            }
            logIn(id, as: account, now: now, into: &actions)
            reply(id, Numeric.saslSuccess, "SASL authentication successful", into: &actions)
        case .makeServerFirst(let name, let clientNonce):
            guard let account = accounts[CaseMapping.fold(name)], !hostIsThrottled(client(id)!.host, now: now) else {
                authenticationFailed(id, now: now, into: &actions)
                return
            }
            actions.append(.checkPassword(PasswordCheck(client: id, uid: client(id)!.uid, account: account.name, password: "",
                                                        purpose: .scramServerFirst(account.credentials, clientNonce: clientNonce))))
        case .checkProof(let name, let authMessage, let proof):
            guard let account = accounts[CaseMapping.fold(name)] else {
                authenticationFailed(id, now: now, into: &actions)
                return
            }
            actions.append(.checkPassword(PasswordCheck(client: id, uid: client(id)!.uid, account: account.name, password: "",
                                                        purpose: .scramProof(account.credentials, authMessage: authMessage,
                                                                             proof: proof))))
        case .succeeded(let name):
            saslExchanges[id]?.finished()
            guard let account = accounts[CaseMapping.fold(name)] else {
                authenticationFailed(id, now: now, into: &actions)
                return
            }
            logIn(id, as: account, now: now, into: &actions)
            reply(id, Numeric.saslSuccess, "SASL authentication successful", into: &actions)
        case .checkPassword(let name, let password):
            let record = client(id)!
            guard !hostIsThrottled(record.host, now: now) else {
                saslExchanges[id]?.finished()
                reply(id, Numeric.saslFailed, "SASL authentication failed (too many failures from your address; wait a minute)",
                      into: &actions)
                failedAuthentications += 1
                return
            }
            guard let account = accounts[CaseMapping.fold(name)] else {
                authenticationFailed(id, now: now, into: &actions)
                return
            }
            actions.append(.checkPassword(PasswordCheck(client: id, uid: record.uid, account: account.name,
                                                        password: password, purpose: .login(account.credentials))))
        }
    }

    /// The answer to a ``ServerAction/checkPassword(_:)`` for a login.
    public mutating func passwordChecked(_ check: PasswordCheck, valid: Bool, now: Timestamp) -> [ServerAction] {
        if case .register = check.purpose {
            // Deriving the credentials failed: the name is free again, and the client is told.
            pendingRegistrations.remove(CaseMapping.fold(check.account))
            guard let record = client(check.client), record.uid == check.uid, !record.quitting else { return [] }
            return [.send(IRCMessage(source: configuration.name, "FAIL", "REGISTER", "TEMPORARILY_UNAVAILABLE", check.account,
                                     "The account could not be created; try again"), to: check.client)]
        }
        guard let record = client(check.client), record.uid == check.uid, !record.quitting else { return [] }
        var actions: [ServerAction] = []
        saslExchanges[check.client]?.finished()
        if valid, let account = accounts[CaseMapping.fold(check.account)] {
            logIn(check.client, as: account, now: now, into: &actions)
            reply(check.client, Numeric.saslSuccess, "SASL authentication successful", into: &actions)
        } else {
            authenticationFailed(check.client, now: now, into: &actions)
        }
        return actions
    }

    /// SCRAM: the server-first message for a ``PasswordCheck/Purpose/scramServerFirst(_:clientNonce:)``.
    public mutating func serverFirstMade(_ check: PasswordCheck, serverFirst: String, now: Timestamp) -> [ServerAction] {
        guard let record = client(check.client), record.uid == check.uid, !record.quitting,
              var exchange = saslExchanges[check.client] else { return [] }
        let action = exchange.serverFirstMade(serverFirst)
        saslExchanges[check.client] = exchange
        guard case .send(let text) = action else { return [] }
        return [.send(IRCMessage("AUTHENTICATE", text), to: check.client)]
    }

    /// SCRAM: the answer to a ``PasswordCheck/Purpose/scramProof(_:authMessage:proof:)``: the server's
    /// signature when the proof was right, `nil` when it was wrong.
    public mutating func proofChecked(_ check: PasswordCheck, serverSignature: [UInt8]?, now: Timestamp) -> [ServerAction] {
        guard let record = client(check.client), record.uid == check.uid, !record.quitting else { return [] }
        var actions: [ServerAction] = []
        guard let serverSignature, var exchange = saslExchanges[check.client] else {
            authenticationFailed(check.client, now: now, into: &actions)
            return actions
        }
        if case .send(let text) = exchange.proofAccepted(account: check.account, serverSignature: serverSignature) {
            actions.append(.send(IRCMessage("AUTHENTICATE", text), to: check.client))
        }
        saslExchanges[check.client] = exchange
        return actions
    }

    private mutating func authenticationFailed(_ id: ClientID, now: Timestamp, into actions: inout [ServerAction]) {
        saslExchanges[id]?.finished()
        failedAuthentications += 1
        let host = client(id)!.host
        var window = hostAuthenticationFailures[host] ?? (count: 0, since: now)
        if now.millisecondsSinceEpoch - window.since.millisecondsSinceEpoch > 60_000 { window = (0, now) }
        window.count += 1
        hostAuthenticationFailures[host] = window
        clients[id.rawValue]!.authenticationFailures &+= 1
        reply(id, Numeric.saslFailed, "SASL authentication failed", into: &actions)
        if clients[id.rawValue]!.authenticationFailures >= 3 {
            removeClient(id, quitMessage: "Too many failed authentications", now: now, into: &actions)
            actions.append(.close(id, reason: "Too many failed authentications"))
        }
    }

    /// More than ``ServerConfiguration/authenticationFailuresPerHost`` failures from one address
    /// within a minute: further attempts fail without a check.
    private func hostIsThrottled(_ host: String, now: Timestamp) -> Bool {
        guard let window = hostAuthenticationFailures[host] else { return false }
        return now.millisecondsSinceEpoch - window.since.millisecondsSinceEpoch <= 60_000
            && window.count >= configuration.authenticationFailuresPerHost
    }

    private mutating func logIn(_ id: ClientID, as account: Account, now: Timestamp, into actions: inout [ServerAction]) {
        clients[id.rawValue]!.account = account.name
        nickDeadlines[id] = nil
        let record = client(id)!
        // Before registration the user name is not known yet.
        let mask = record.user.isEmpty ? "\(record.nick)!*@\(record.host)" : record.prefix
        reply(id, Numeric.loggedIn, mask, account.name, "You are now logged in as \(account.name)", into: &actions)
        if record.isRegistered {
            // (Before registration the account travels in the user's introduction.)
            propagate(IRCMessage("LOGIN", account.name), actor: id, into: &actions)
            notifyAccount(of: id, into: &actions)
        }
        reclaimNick(account.name, for: id, now: now, into: &actions)
    }

    /// The owner reclaims the nick from a local client that holds it without being logged in
    /// (each server renames its own clients; remote logins arrive as `LOGIN` events).
    private mutating func reclaimNick(_ account: String, for owner: ClientID, now: Timestamp, into actions: inout [ServerAction]) {
        if let holder = nicks[CaseMapping.fold(account)], holder != owner, let other = client(holder),
           !other.isRemote, other.account.map(CaseMapping.fold) != CaseMapping.fold(account) {
            renameToGuest(holder, reason: "\(account) is registered and its owner has logged in", now: now, into: &actions)
        }
    }

    // MARK: Accounts across linked servers

    /// The network event that carries an account to the other servers (live and in bursts):
    /// `ACCOUNT NAME CREDENTIALS REGISTERED-MS`, from this server.
    func accountEvent(_ account: Account) -> IRCMessage {
        IRCMessage(source: configuration.name, command: "ACCOUNT",
                   parameters: [account.name, account.credentials.encoded, String(account.registered.millisecondsSinceEpoch),
                                account.certificates.sorted().joined(separator: ",")])
    }

    /// An account from another server. Two servers may register one name while split: every
    /// server keeps the one registered first (then the smaller credentials text), so all agree.
    mutating func remoteAccount(_ event: IRCMessage, now: Timestamp, into actions: inout [ServerAction]) {
        guard event.parameters.count >= 3, Self.isValidNick(event.parameters[0], maxLength: 64),
              let credentials = AccountCredentials(encoded: event.parameters[1]),
              let registered = Int64(event.parameters[2]) else { return }
        let certificates = event.parameters.count >= 4 ? Set(event.parameters[3].split(separator: ",").map(String.init)) : []
        let account = Account(name: event.parameters[0], credentials: credentials,
                              registered: Timestamp(millisecondsSinceEpoch: registered), certificates: certificates)
        let folded = CaseMapping.fold(account.name)
        if let kept = accounts[folded] {
            guard kept != account else { return }
            let sameAccount = kept.registered == account.registered && kept.credentials == account.credentials
            // The same account with other certificates is an update (`CERTFP`), applied in causal order.
            let keptWins = (kept.registered, kept.credentials.encoded) < (account.registered, account.credentials.encoded)
            if !sameAccount, keptWins { return }
        }
        let replaced = accounts[folded].map { $0.registered != account.registered || $0.credentials != account.credentials } ?? false
        accounts[folded] = account
        actions.append(.saveAccount(account))
        if replaced {
            // An earlier registration of the name won: whoever is logged in here under the losing one
            // is logged out (and, holding the nick, gets the usual grace).
            for record in clients.compactMap({ $0 }) where !record.isRemote && record.account.map(CaseMapping.fold) == folded {
                clients[record.id.rawValue]!.account = nil
                actions.append(.send(IRCMessage(source: configuration.name, "NOTICE", record.nick, """
                    Another registration of \(account.name), made earlier elsewhere on the network, takes precedence: \
                    you are logged out.
                    """), to: record.id))
                checkNickOwnership(record.id, now: now, into: &actions)
            }
        }
        // Someone here holds the nick it owns: the usual warning and grace.
        if let holder = nicks[folded], let record = client(holder), !record.isRemote {
            checkNickOwnership(holder, now: now, into: &actions)
        }
    }

    /// A remote user logged in: remember it (WHOIS), and take the nick back from a local holder.
    mutating func remoteLogin(_ id: ClientID, account: String?, now: Timestamp, into actions: inout [ServerAction]) {
        guard let account, accounts[CaseMapping.fold(account)] != nil else { return }
        clients[id.rawValue]!.account = account
        notifyAccount(of: id, into: &actions)
        reclaimNick(account, for: id, now: now, into: &actions)
    }

    // MARK: account-notify, extended-join

    /// `ACCOUNT name` to those who share a channel with `id` and asked for `account-notify`.
    func notifyAccount(of id: ClientID, into actions: inout [ServerAction]) {
        guard let record = client(id), let account = record.account else { return }
        let recipients = peers(of: id, includingSelf: !record.isRemote).filter {
            client($0)?.capabilities.contains(.accountNotify) == true
        }
        guard !recipients.isEmpty else { return }
        actions.append(.deliver(IRCMessage(source: record.prefix, "ACCOUNT", account), to: recipients, except: nil))
    }

    /// A `JOIN` to the channel's members; those with `extended-join` also get the account (or `*`)
    /// and the real name.
    func deliverJoin(_ join: IRCMessage, of id: ClientID, to members: [ClientID], into actions: inout [ServerAction]) {
        let extended = configuration.accounts ? members.filter { client($0)?.capabilities.contains(.extendedJoin) == true } : []
        guard !extended.isEmpty, let record = client(id) else {
            actions.append(.deliver(join, to: members, except: nil))
            notifyAwayAfterJoin(of: id, to: members, into: &actions)
            return
        }
        let plain = members.filter { client($0)?.capabilities.contains(.extendedJoin) != true }
        if !plain.isEmpty { actions.append(.deliver(join, to: plain, except: nil)) }
        var full = join
        full.parameters = [join.parameters[0], record.account ?? "*", record.realName]
        actions.append(.deliver(full, to: extended, except: nil))
        notifyAwayAfterJoin(of: id, to: members, into: &actions)
    }

    /// `away-notify`: an away user's JOIN is followed by its AWAY for the members with the capability.
    func notifyAwayAfterJoin(of id: ClientID, to members: [ClientID], into actions: inout [ServerAction]) {
        guard let record = client(id), let away = record.away else { return }
        let recipients = members.filter { $0 != id && clients[$0.rawValue]?.capabilities.contains(.awayNotify) == true }
        if !recipients.isEmpty {
            actions.append(.deliver(IRCMessage(source: record.prefix, command: "AWAY", parameters: [away]), to: recipients, except: nil))
        }
    }

    /// The connection's TLS client certificate (its SHA-256 fingerprint), for SASL `EXTERNAL` and `CERTFP`.
    public mutating func certificatePresented(_ id: ClientID, fingerprint: String) {
        guard client(id) != nil else { return }
        clientCertificates[id] = fingerprint
    }

    /// `CERTFP ADD|DEL <fingerprint>|LIST`: the certificates that log in to your account with
    /// `EXTERNAL`. `ADD` without a fingerprint adds the one of this connection.
    mutating func handleCertFP(_ message: IRCMessage, from id: ClientID, into actions: inout [ServerAction]) {
        let record = client(id)!
        func notice(_ text: String) {
            actions.append(.send(IRCMessage(source: configuration.name, "NOTICE", record.nick, text), to: id))
        }
        guard configuration.accounts, let name = record.account, var account = accounts[CaseMapping.fold(name)] else {
            notice("CERTFP: log in to an account first")
            return
        }
        let subcommand = message.parameters.first?.uppercased() ?? "LIST"
        switch subcommand {
        case "ADD", "DEL":
            // ADD takes the certificate this connection proved it holds (never a typed fingerprint);
            // DEL takes a fingerprint, or this connection's.
            let given = message.parameters.count >= 2 && subcommand == "DEL"
                ? CertificateFingerprint(message.parameters[1])?.description : nil
            guard let fingerprint = given ?? clientCertificates[id] else {
                notice("CERTFP \(subcommand): " + (subcommand == "ADD" ? "connect with a client certificate first"
                                                                             : "give a SHA-256 fingerprint"))
                return
            }
            if subcommand == "ADD", let other = accounts.values.first(where: { $0.certificates.contains(fingerprint) }),
               CaseMapping.fold(other.name) != CaseMapping.fold(account.name) {
                notice("CERTFP ADD: that certificate already logs in to another account")
                return
            }
            if subcommand == "ADD" { account.certificates.insert(fingerprint) } else { account.certificates.remove(fingerprint) }
            accounts[CaseMapping.fold(name)] = account
            actions.append(.saveAccount(account))
            if configuration.federated { actions.append(.propagate(accountEvent(account))) }
            notice("CERTFP: \(subcommand == "ADD" ? "added" : "removed") \(fingerprint) for \(account.name)")
        case "LIST":
            for fingerprint in account.certificates.sorted() { notice("CERTFP: \(fingerprint)") }
            notice("CERTFP: \(account.certificates.count) certificate(s) log in to \(account.name)")
        default:
            notice("CERTFP: ADD [fingerprint], DEL fingerprint or LIST")
        }
    }

    // MARK: REGISTER

    mutating func handleRegister(_ message: IRCMessage, from id: ClientID, now: Timestamp, into actions: inout [ServerAction]) {
        func fail(_ code: String, _ context: String, _ text: String) {
            actions.append(.send(IRCMessage(source: configuration.name, "FAIL", "REGISTER", code, context, text), to: id))
        }
        guard message.parameters.count >= 3 else {
            needMoreParams(id, "REGISTER", into: &actions)
            return
        }
        let record = client(id)!
        let requested = message.parameters[0]
        let password = message.parameters[2]
        guard configuration.accounts else {
            fail("TEMPORARILY_UNAVAILABLE", requested, "This server keeps no accounts")
            return
        }
        guard record.isRegistered else {
            fail("COMPLETE_CONNECTION_REQUIRED", requested, "Register after connecting")
            return
        }
        let name = requested == "*" ? record.nick : requested
        guard CaseMapping.fold(name) == CaseMapping.fold(record.nick) else {
            fail("ACCOUNT_NAME_MUST_BE_NICK", name, "The account name must be your current nick")
            return
        }
        guard record.account == nil else {
            fail("ALREADY_AUTHENTICATED", name, "You are already logged in")
            return
        }
        guard configuration.registrationOpen else {
            fail("TEMPORARILY_UNAVAILABLE", name, "Registration is closed on this server")
            return
        }
        guard accounts[CaseMapping.fold(name)] == nil, pendingRegistrations.insert(CaseMapping.fold(name)).inserted else {
            fail("ACCOUNT_EXISTS", name, "Account already exists")
            return
        }
        guard password.count >= 8 else {
            pendingRegistrations.remove(CaseMapping.fold(name))
            fail("WEAK_PASSWORD", name, "Passwords must be at least 8 characters")
            return
        }
        actions.append(.checkPassword(PasswordCheck(client: id, uid: record.uid, account: name, password: password,
                                                    purpose: .register)))
    }

    /// The credentials for a ``ServerAction/checkPassword(_:)`` of a registration were derived.
    public mutating func accountCreated(_ check: PasswordCheck, credentials: AccountCredentials, now: Timestamp) -> [ServerAction] {
        let folded = CaseMapping.fold(check.account)
        pendingRegistrations.remove(folded)
        guard accounts[folded] == nil else {
            // Registered meanwhile elsewhere on the network.
            return [.send(IRCMessage(source: configuration.name, "FAIL", "REGISTER", "ACCOUNT_EXISTS", check.account,
                                     "Account already exists"), to: check.client)]
        }
        let account = Account(name: check.account, credentials: credentials, registered: now)
        accounts[folded] = account
        var actions: [ServerAction] = [.saveAccount(account)]
        if configuration.federated { actions.append(.propagate(accountEvent(account))) }
        guard let record = client(check.client), record.uid == check.uid, !record.quitting else { return actions }
        actions.append(.send(IRCMessage(source: configuration.name, "REGISTER", "SUCCESS", account.name,
                                        "Account created"), to: check.client))
        logIn(check.client, as: account, now: now, into: &actions)
        return actions
    }

    /// Adds or replaces an account (the administrator's `serve account add`, or a store load).
    public mutating func accountSaved(_ account: Account) {
        accounts[CaseMapping.fold(account.name)] = account
    }

    // MARK: Nicks owned by accounts

    /// Called when `id` took `nick`: if an account owns it and `id` is not logged in as that
    /// account, it gets a notice and ``ServerConfiguration/nickGracePeriodMilliseconds`` to log in.
    mutating func checkNickOwnership(_ id: ClientID, now: Timestamp, into actions: inout [ServerAction]) {
        guard configuration.accounts, let record = client(id), !record.isRemote, record.isRegistered else { return }
        guard let owner = accounts[CaseMapping.fold(record.nick)],
              record.account.map(CaseMapping.fold) != CaseMapping.fold(owner.name) else {
            nickDeadlines[id] = nil
            return
        }
        let seconds = configuration.nickGracePeriodMilliseconds / 1000
        nickDeadlines[id] = Timestamp(millisecondsSinceEpoch: now.millisecondsSinceEpoch + configuration.nickGracePeriodMilliseconds)
        actions.append(.send(IRCMessage(source: configuration.name, "NOTICE", record.nick, """
            The nick \(record.nick) belongs to a registered account. Log in to it (SASL, or /identify) within \
            \(seconds) seconds, or your nick will be changed.
            """), to: id))
    }

    /// Time passed: nicks whose grace period ended are taken back.
    public mutating func tick(now: Timestamp) -> [ServerAction] {
        if !hostAuthenticationFailures.isEmpty {
            hostAuthenticationFailures = hostAuthenticationFailures.filter {
                now.millisecondsSinceEpoch - $0.value.since.millisecondsSinceEpoch <= 60_000
            }
        }
        guard !nickDeadlines.isEmpty else { return [] }
        var actions: [ServerAction] = []
        for (id, deadline) in nickDeadlines where deadline <= now {
            nickDeadlines[id] = nil
            guard let record = client(id), let owner = accounts[CaseMapping.fold(record.nick)],
                  record.account.map(CaseMapping.fold) != CaseMapping.fold(owner.name) else { continue }
            renameToGuest(id, reason: "\(record.nick) belongs to a registered account and you did not log in", now: now,
                          into: &actions)
        }
        return actions
    }

    private mutating func renameToGuest(_ id: ClientID, reason: String, now: Timestamp, into actions: inout [ServerAction]) {
        var guest: String
        repeat {
            guestCounter += 1
            guest = "Guest" + String(guestCounter)
        } while nicks[CaseMapping.fold(guest)] != nil
        actions.append(.send(IRCMessage(source: configuration.name, "NOTICE", client(id)!.nick,
                                        "\(reason): you are now \(guest)"), to: id))
        changeNick(of: id, to: guest, now: now, into: &actions)
        nickDeadlines[id] = nil
    }
}
