import ChatCore

extension ServerHub {
    /// The history thread answered a `CHATHISTORY` request: send the batch to the client that
    /// asked, if it is still the same connection.
    func answer(_ request: HistoryRequest, with result: Result<HistoryWriter.Answer, any Error>) {
        run { state in
            guard let record = state.server.client(request.client), record.uid == request.uid, !record.quitting else { return }
            state.historyBatches += 1
            let batchID = "h" + String(state.historyBatches, radix: 36)
            let messages: [IRCMessage]
            switch result {
            case .success(.entries(let entries)):
                messages = HistoryReply.messages(entries, for: request, capabilities: record.capabilities,
                                                 batchID: batchID, source: serverName)
            case .success(.targets(let targets)):
                messages = HistoryReply.targets(targets, for: request, capabilities: record.capabilities,
                                                batchID: batchID, source: serverName)
            case .failure(let error as HistoryStore.UnknownReference):
                _ = error
                messages = [HistoryReply.unknownReference(request, source: serverName)]
            case .failure:
                messages = [HistoryReply.failed(request, source: serverName)]
            }
            apply(messages.map { .send($0, to: request.client) }, to: &state)
        }
    }
}
