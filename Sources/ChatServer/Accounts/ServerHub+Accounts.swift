import ChatCore

extension ServerHub {
    /// The credential worker answered: log the client in, create the account, or fail.
    func credentialsChecked(_ check: PasswordCheck, _ outcome: CredentialWorker.Outcome) {
        let now = WallClock.now()
        _ = run { state in
            let actions: [ServerAction]
            switch outcome {
            case .checked(let valid):
                actions = state.server.passwordChecked(check, valid: valid, now: now)
            case .created(let credentials):
                actions = state.server.accountCreated(check, credentials: credentials, now: now)
            case .serverFirst(let serverFirst):
                actions = state.server.serverFirstMade(check, serverFirst: serverFirst, now: now)
            case .proof(let serverSignature):
                actions = state.server.proofChecked(check, serverSignature: serverSignature, now: now)
            case .failed:
                actions = state.server.passwordChecked(check, valid: false, now: now)
            }
            return self.apply(actions, to: &state)
        }
    }

    /// Time passed (every second with accounts): nicks whose grace period ended are taken back.
    func tick() {
        let now = WallClock.now()
        _ = run { state in self.apply(state.server.tick(now: now), to: &state) }
    }
}
