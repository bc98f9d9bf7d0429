import ChatCore
import Foundation
import Logging

/// The one thread that talks to the ``HistoryStore``, so that no event loop waits for the disk.
///
/// - Messages are queued (bounded) and written by group commit: whatever has queued up while the
///   last transaction ran goes into the next one, so a message delivered live is on disk within
///   one commit (milliseconds) of being queued.
/// - Queries run on the same thread after the writes queued before them, so a client that asks
///   for history sees what it was just sent.
/// - When the queue is full or the disk fails (full, read-only), chat goes on: the messages are
///   counted as lost and logged (at most every 10 s), and writing resumes when the disk does.
public final class HistoryWriter: @unchecked Sendable {
    // @unchecked Sendable: every mutable field is read and written only with `condition` locked;
    // the store is Sendable and used only by the writer thread.

    /// What a query found.
    public enum Answer: Sendable {
        case entries([HistoryEntry])
        case targets([HistoryReply.Target])
    }

    private enum Job {
        case entries([HistoryRecord])
        case query(HistoryRequest, @Sendable (Result<Answer, any Error>) -> Void)
        case prune(Timestamp)
        case saveChannel(ChannelSnapshot)
        case saveReadMarker(ReadMarker)
        case saveAccount(Account)
        case redact(conversation: String, msgid: String)
    }

    public struct Statistics: Sendable, Hashable {
        public var written = 0
        public var lost = 0
        public var commits = 0
    }

    /// Most messages written in one transaction.
    static let maximumBatch = 4096

    private let store: HistoryStore
    private let logger: Logger
    private let capacity: Int
    private let condition = NSCondition()
    private var jobs: [Job] = []
    private var queuedEntries = 0
    private var stopping = false
    private var finished = false
    private var statistics = Statistics()
    private var lostSinceLog = 0
    private var lastLossLog: Date?

    /// - Parameter capacity: messages that may wait for the disk before new ones are counted lost.
    public init(store: HistoryStore, capacity: Int = 200_000, logger: Logger) {
        self.store = store
        self.capacity = capacity
        self.logger = logger
        // The thread keeps itself (and this writer) alive until ``stop()`` ends its loop.
        let thread = Thread { [self] in self.loop() }
        thread.name = "chatty-history"
        thread.start()
    }

    /// The database file.
    public var path: String { store.path }

    public var currentStatistics: Statistics {
        condition.lock()
        defer { condition.unlock() }
        return statistics
    }

    /// Queues a delivered message for the disk. Never blocks on the disk.
    public func record(_ entry: HistoryRecord) {
        condition.lock()
        defer { condition.unlock() }
        guard !stopping else { return }
        guard queuedEntries < capacity else {
            countLost(1, reason: "the history queue is full (the disk is too slow)")
            return
        }
        queuedEntries += 1
        if case .entries(var batch) = jobs.last {
            jobs[jobs.count - 1] = .entries([])
            batch.append(entry)
            jobs[jobs.count - 1] = .entries(batch)
        } else {
            jobs.append(.entries([entry]))
            condition.signal()
        }
    }

    /// Answers `request` on the history thread; `completion` runs there too.
    public func query(_ request: HistoryRequest, completion: @escaping @Sendable (Result<Answer, any Error>) -> Void) {
        enqueue(.query(request, completion))
    }

    /// Keeps a channel's topic and modes (in order with the messages around it).
    public func save(_ snapshot: ChannelSnapshot) {
        enqueue(.saveChannel(snapshot))
    }

    /// Keeps a read marker.
    public func save(_ marker: ReadMarker) {
        enqueue(.saveReadMarker(marker))
    }

    /// Keeps an account (in order with everything queued before it).
    public func save(_ account: Account) {
        enqueue(.saveAccount(account))
    }

    /// Deletes a redacted message (in order with the messages queued before it).
    public func redact(conversation: String, msgid: String) {
        enqueue(.redact(conversation: conversation, msgid: msgid))
    }

    /// Deletes history older than `cutoff` (in the background, between commits).
    public func prune(olderThan cutoff: Timestamp) {
        enqueue(.prune(cutoff))
    }

    /// Queues work for the history thread (nothing once stopping).
    private func enqueue(_ job: Job) {
        condition.lock()
        defer { condition.unlock() }
        guard !stopping else { return }
        jobs.append(job)
        condition.signal()
    }

    /// Writes everything queued, then stops the thread. Blocks until done: call it off the event loops.
    public func stop() {
        condition.lock()
        stopping = true
        condition.signal()
        while !finished { condition.wait() }
        condition.unlock()
    }

    private func loop() {
        while true {
            condition.lock()
            while jobs.isEmpty && !stopping { condition.wait() }
            let taken = jobs
            jobs = []
            queuedEntries = 0
            let done = stopping && taken.isEmpty
            condition.unlock()
            if done { break }
            run(taken)
            indexWhileIdle()
        }
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    private func run(_ taken: [Job]) {
        for job in taken {
            switch job {
            case .entries(let entries):
                // At most `maximumBatch` per transaction, so that under a backlog commits still come
                // every few tens of milliseconds (the durability window).
                var start = entries.startIndex
                while start < entries.endIndex {
                    let end = min(start + Self.maximumBatch, entries.endIndex)
                    let batch = entries[start..<end]
                    do {
                        try store.append(batch)
                        condition.lock()
                        statistics.written += batch.count
                        statistics.commits += 1
                        condition.unlock()
                    } catch {
                        condition.lock()
                        countLost(batch.count, reason: "\(error)")
                        condition.unlock()
                    }
                    start = end
                }
            case .query(let request, let completion):
                let result = Result<Answer, any Error> {
                    if case .targets = request.query.selection {
                        return .targets(try store.targets(request))
                    }
                    return .entries(try store.entries(request))
                }
                completion(result)
            case .saveChannel(let snapshot):
                do {
                    try store.save(snapshot)
                } catch {
                    logger.warning("channel not saved", metadata: ["channel": "\(snapshot.name)", "error": "\(error)"])
                }
            case .saveReadMarker(let marker):
                do {
                    try store.save(marker)
                } catch {
                    logger.warning("read marker not saved", metadata: ["target": "\(marker.target)", "error": "\(error)"])
                }
            case .saveAccount(let account):
                do {
                    try store.save(account)
                } catch {
                    logger.error("account not saved", metadata: ["account": "\(account.name)", "error": "\(error)"])
                }
            case .redact(let conversation, let msgid):
                do {
                    try store.redact(conversation: conversation, msgid: msgid)
                } catch {
                    logger.warning("redacted message not deleted", metadata: ["msgid": "\(msgid)", "error": "\(error)"])
                }
            case .prune(let cutoff):
                do {
                    let removed = try store.prune(olderThan: cutoff)
                    if removed > 0 { logger.info("history pruned", metadata: ["messages": "\(removed)"]) }
                } catch {
                    logger.warning("history pruning failed", metadata: ["error": "\(error)"])
                }
            }
        }
    }

    /// Fills the search index in chunks while no other work waits (it never delays a commit by
    /// more than one chunk).
    private func indexWhileIdle() {
        while true {
            condition.lock()
            let idle = jobs.isEmpty && !stopping
            condition.unlock()
            guard idle else { return }
            do {
                guard try store.indexPending(limit: 2_000) > 0 else { return }
            } catch {
                logger.warning("search index not updated", metadata: ["error": "\(error)"])
                return
            }
        }
    }

    /// Counts lost messages; logs at most every 10 s. Called with `condition` locked.
    private func countLost(_ count: Int, reason: String) {
        statistics.lost += count
        lostSinceLog += count
        let now = Date()
        if let last = lastLossLog, now.timeIntervalSince(last) < 10 { return }
        lastLossLog = now
        logger.error("history not stored", metadata: ["messages": "\(lostSinceLog)", "lost-total": "\(statistics.lost)",
                                                      "reason": "\(reason)"])
        lostSinceLog = 0
    }
}
