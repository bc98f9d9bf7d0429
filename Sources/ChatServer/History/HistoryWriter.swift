import ChatCore
import Foundation
import Logging

/// The one thread that talks to the ``HistoryStore``, so that no event loop waits for the disk.
///
/// - Messages are queued (bounded, encoded as ``HistoryRowBatch`` rows) and written by group
///   commit: whatever has queued up since the last transaction goes into the next one, at most
///   every ``commitInterval`` (10 ms) while messages keep coming, so a message delivered live is on
///   disk within a few tens of milliseconds of being queued.
/// - Queries run on the same thread after the writes queued before them, so a client that asks
///   for history sees what it was just sent.
/// - The lookup and search indexes are built in the thread's spare time: while messages keep coming,
///   with at most a tenth of its time (unless they fall ``maximumIndexLag`` rows behind), so that
///   chat keeps the CPU; a query first catches them up, in chunks between which newly queued
///   messages are written.
/// - When the queue is full or the disk fails (full, read-only), chat goes on: the messages are
///   counted as lost and logged (at most every 10 s), and writing resumes when the disk does.
public final class HistoryWriter: @unchecked Sendable {
    // @unchecked Sendable: every mutable field is read and written only with `condition` locked,
    // except `indexBehind`, `nextIndexing`, `unindexed` and `lastCommit`, which only the history
    // thread touches;
    // the store is Sendable and used only by the writer thread.

    /// What a query found.
    public enum Answer: Sendable {
        case entries([HistoryEntry])
        case targets([HistoryReply.Target])
    }

    private enum Job {
        var isRows: Bool {
            if case .rows = self { return true }
            return false
        }

        case rows(HistoryRowBatch)
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
    // Only the history thread touches these four.
    /// Whether rows may be waiting for the indexes (after writes, and at start).
    private var indexBehind = true
    /// When the thread may next spend time on the indexes.
    private var nextIndexing = ContinuousClock.now
    /// About how many written rows the indexes have not taken yet.
    private var unindexed = 0
    /// When messages were last committed (the group-commit pace, and whether chat is busy).
    private var lastCommit: ContinuousClock.Instant?

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
        // Encoded here, into the batch the history thread takes next (moved out and back, so that
        // the buffers stay unique and grow in place).
        if case .rows(var batch) = jobs.last {
            jobs[jobs.count - 1] = .rows(HistoryRowBatch())
            batch.append(entry)
            jobs[jobs.count - 1] = .rows(batch)
        } else {
            var batch = HistoryRowBatch()
            batch.append(entry)
            jobs.append(.rows(batch))
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

    /// Least time between two commits of messages while they keep coming: a busy server commits
    /// about a hundred times a second, each a large batch (a commit has a fixed cost), well inside
    /// the durability window; a quiet one commits each message at once.
    static let commitInterval: Duration = .milliseconds(10)

    private func loop() {
        while true {
            condition.lock()
            while jobs.isEmpty && !stopping {
                guard indexBehind else {
                    condition.wait()
                    continue
                }
                let now = ContinuousClock.now
                if now >= nextIndexing { break }
                _ = condition.wait(until: Date(timeIntervalSinceNow: Self.seconds(nextIndexing - now)))
            }
            // Only messages waiting, not many, and the last commit was just now: let more gather.
            while !stopping, let lastCommit, jobs.allSatisfy(\.isRows), queuedEntries < Self.maximumBatch {
                let now = ContinuousClock.now
                guard now < lastCommit + Self.commitInterval else { break }
                _ = condition.wait(until: Date(timeIntervalSinceNow: Self.seconds(lastCommit + Self.commitInterval - now)))
            }
            // Everything up to the first job that is not messages (a query, a save…): what comes
            // after it stays queued, so that a query's catch-up, which writes the messages at the
            // head of the queue, writes them in the order they came.
            let cut = jobs.firstIndex { !$0.isRows }.map { $0 + 1 } ?? jobs.count
            let taken = Array(jobs[..<cut])
            jobs.removeFirst(cut)
            queuedEntries -= taken.reduce(0) { count, job in
                if case .rows(let batch) = job { return count + batch.count }
                return count
            }
            let done = stopping && taken.isEmpty
            condition.unlock()
            if done { break }
            if taken.isEmpty {
                indexOneChunk()
            } else {
                run(taken)
                // Under steady load the queue is never empty: the indexes still get their share
                // (and all of it once they are too far behind).
                if indexBehind, ContinuousClock.now >= nextIndexing || unindexed >= Self.maximumIndexLag {
                    indexOneChunk()
                }
            }
        }
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    /// Writes `batch`: at most `maximumBatch` rows per transaction, so that under a backlog
    /// commits still come every few tens of milliseconds (the durability window).
    private func write(_ batch: HistoryRowBatch) {
        var start = 0
        while start < batch.count {
            let end = min(start + Self.maximumBatch, batch.count)
            do {
                try store.append(batch, rows: start..<end)
                lastCommit = .now
                indexBehind = true
                unindexed += end - start
                condition.lock()
                statistics.written += end - start
                statistics.commits += 1
                condition.unlock()
            } catch {
                condition.lock()
                countLost(end - start, reason: "\(error)")
                condition.unlock()
            }
            start = end
        }
    }

    /// Before a query (or a redaction, which looks its message up): the indexes catch up in
    /// chunks, and between chunks the messages queued meanwhile are written, so that a long
    /// catch-up delays the answer but never the history.
    /// It catches up to the newest row written when it starts: what arrives meanwhile came after
    /// the query, so heavy traffic cannot keep it waiting.
    private func catchUpIndexesWhileWriting() {
        guard indexBehind else { return }
        let target: Int64
        do {
            target = try store.newestSeq()
        } catch {
            logger.warning("search index not updated", metadata: ["error": "\(error)"])
            return
        }
        while let indexed = indexChunk(limit: Self.catchUpChunk, upTo: target), indexed >= Self.catchUpChunk {
            condition.lock()
            // Only the rows at the head of the queue: everything else keeps its order.
            var waiting: [HistoryRowBatch] = []
            while case .rows(let batch) = jobs.first {
                jobs.removeFirst()
                queuedEntries -= batch.count
                waiting.append(batch)
            }
            condition.unlock()
            for batch in waiting { write(batch) }
        }
    }

    private func run(_ taken: [Job]) {
        for job in taken {
            switch job {
            case .rows(let batch):
                write(batch)
            case .query(let request, let completion):
                catchUpIndexesWhileWriting()
                let result = Result<Answer, any Error> {
                    if case .targets = request.query.selection {
                        return .targets(try store.targets(request, indexesFirst: false))
                    }
                    return .entries(try store.entries(request, indexesFirst: false))
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
                catchUpIndexesWhileWriting()
                do {
                    try store.redact(conversation: conversation, msgid: msgid, indexesFirst: false)
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

    /// Rows the indexes take in one go in spare time (a few milliseconds of work), and before a query.
    static let indexChunk = 500
    static let catchUpChunk = 5_000
    /// Rows the indexes may fall behind while messages keep coming (about four seconds of work to
    /// catch up before the next query); beyond it they are built at full speed.
    static let maximumIndexLag = 1_000_000

    /// One chunk of index work, when nothing else waits. While messages keep coming (one was
    /// written in the last second) the thread then rests nine times as long as the chunk took, so
    /// the indexes take at most a tenth of its time and chat keeps the CPU, unless they are more
    /// than ``maximumIndexLag`` rows behind; once writes stop they catch up at full speed. A query
    /// catches them up first in any case, so it sees everything.
    private func indexOneChunk() {
        let start = ContinuousClock.now
        let indexed = indexChunk(limit: Self.indexChunk)
        indexBehind = (indexed ?? 0) >= Self.indexChunk
        if let indexed, indexed < Self.indexChunk { unindexed = 0 }
        let end = ContinuousClock.now
        if let lastCommit, end - lastCommit < .seconds(1), unindexed < Self.maximumIndexLag {
            nextIndexing = end + (end - start) * 9
        } else {
            nextIndexing = end
        }
    }

    /// Indexes up to `limit` rows (no further than `target`); how many it went past, `nil` after
    /// an error (logged).
    private func indexChunk(limit: Int, upTo target: Int64 = .max) -> Int? {
        do {
            let indexed = try store.indexPending(limit: limit, upTo: target)
            unindexed = max(0, unindexed - indexed)
            return indexed
        } catch {
            logger.warning("search index not updated", metadata: ["error": "\(error)"])
            return nil
        }
    }

    private static func seconds(_ duration: Duration) -> TimeInterval {
        let (seconds, attoseconds) = duration.components
        return TimeInterval(seconds) + TimeInterval(attoseconds) * 1e-18
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
