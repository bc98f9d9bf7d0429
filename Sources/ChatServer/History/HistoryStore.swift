import ChatCore
import Foundation
import GRDB
import GRDBSQLite

/// The history database: an SQLite file in WAL mode (through GRDB) in the server's data directory.
///
/// Schema (migrations `v1` … `v5-compact-events`):
/// - `event(seq INTEGER PRIMARY KEY, conversation, msgid, time, sender, command, text, body)`:
///   one row per delivered `PRIVMSG`/`NOTICE`/`TAGMSG` and channel event (`JOIN`, `PART`, `QUIT`,
///   `KICK`, `NICK`, `TOPIC`, `MODE`; a `QUIT` or `NICK` once per channel), in this server's delivery
///   order (`seq`, never reused), which is causal order on a linked network. `conversation` is
///   ``HistoryConversation``'s key, `time` milliseconds since the epoch, `text` the last parameter
///   (empty for `TAGMSG`), `body` the rest of the message as delivered (tags included) in
///   ``StoredMessage``'s layout. Only appended to: it has no index but its rowid, so that writes
///   stay cheap. (Until `v5` the table was `message`, with the serialised line instead of `body`.)
/// - `message_index(seq, conversation, msgid)` with indexes on `(conversation, seq)` and (unique)
///   `(conversation, msgid)`, and the FTS5 search index `message_fts` over the texts of messages.
///   The history thread fills both in its spare time (``indexPending(limit:)``; under load it
///   spends at most a tenth of its time on them, see ``HistoryWriter``) and catches them up before
///   every query; `index_progress.last_seq` says how far they go. A message stored twice (same
///   conversation and msgid) is indexed once. Deleting a row takes it out of both (triggers).
/// - `conversation(name)` (migration `v6-targets-index`, filled by the indexing too): every
///   conversation indexed, and `message_index.time` with an index on `(conversation, time)`, so
///   that `TARGETS` looks at each readable conversation's newest row in the range instead of
///   scanning the history.
/// - `channel(folded PRIMARY KEY, name, topic, topic_setter, topic_time, flags, key, user_limit,
///   created, lists)`: each channel's topic and modes (`flags` are the letters of `imnst`; `lists`,
///   migration `v4-channel-lists`, is ``ChannelMaskLists/encoded``: one `b|e|I mask setter ms` line
///   per ban, exception and invite exception), kept when its last member leaves and restored when
///   someone joins it again, also after a restart.
/// - `read_marker(owner, target, time)`: how far each user has read each conversation.
/// - `account(folded PRIMARY KEY, name, credentials, registered, certificates)` (migrations
///   `v2-accounts`, `v3-account-certificates`; `certificates` are the SHA-256 fingerprints, comma-separated):
///   registered accounts; `credentials` is ``AccountCredentials/encoded`` (a SCRAM-SHA-256
///   verifier: salt, PBKDF2 iteration count, stored and server keys — never the password).
///
/// Every method blocks on the disk: call it from the history thread, never from an event loop.
public final class HistoryStore: Sendable {
    public enum OpenError: Error, CustomStringConvertible {
        case directory(String, String)
        case locked(String)
        case database(String, String)

        public var description: String {
            switch self {
            case .directory(let path, let reason): "cannot use the data directory \(path): \(reason)"
            case .locked(let path): "the data directory \(path) is in use by another chatty-tui server"
            case .database(let path, let reason): "cannot open the history database \(path): \(reason)"
            }
        }
    }

    /// An error from a query: the reference names no message of that conversation.
    public struct UnknownReference: Error {}

    let pool: DatabasePool
    /// Held open for the lifetime of the store: the `flock` that keeps a second server out.
    private let lockDescriptor: Int32
    public let path: String

    /// Opens (creating if needed) `directory/history.sqlite` and brings its schema up to date.
    public init(directory: String) throws(OpenError) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw .directory(directory, Self.reason(error))
        }
        let lockPath = directory + "/lock"
        let descriptor = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw .directory(directory, String(cString: strerror(errno))) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw .locked(directory)
        }
        lockDescriptor = descriptor
        path = directory + "/history.sqlite"
        do {
            var configuration = Configuration()
            configuration.prepareDatabase { db in
                // WAL + NORMAL: a commit survives the process being killed; only a power loss can
                // take the last commits.
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
            }
            configuration.busyMode = .timeout(2)
            pool = try DatabasePool(path: path, configuration: configuration)
            try Self.migrator.migrate(pool)
            // Can this server write? (Another program may hold the write lock.) Better to say so
            // now than to lose every message later.
            try pool.writeWithoutTransaction { db in try db.execute(sql: "BEGIN IMMEDIATE; COMMIT") }
        } catch {
            close(descriptor)
            throw .database(path, Self.reason(error))
        }
    }

    deinit {
        close(lockDescriptor)
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE message (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    conversation TEXT NOT NULL,
                    msgid TEXT NOT NULL,
                    time INTEGER NOT NULL,
                    sender TEXT NOT NULL,
                    command TEXT NOT NULL,
                    text TEXT NOT NULL,
                    line TEXT NOT NULL
                );
                CREATE TABLE message_index (seq INTEGER PRIMARY KEY, conversation TEXT NOT NULL, msgid TEXT NOT NULL);
                CREATE INDEX message_index_by_conversation ON message_index(conversation, seq);
                CREATE UNIQUE INDEX message_index_by_msgid ON message_index(conversation, msgid);
                -- `detail=none` keeps the search index small and fast (words, no phrases).
                CREATE VIRTUAL TABLE message_fts USING fts5(text, content='message', content_rowid='seq', detail=none);
                CREATE TABLE index_progress (id INTEGER PRIMARY KEY CHECK (id = 1), last_seq INTEGER NOT NULL);
                INSERT INTO index_progress (id, last_seq) VALUES (1, 0);
                -- Only what was indexed is taken out (an unindexed row or a duplicate was never in).
                CREATE TRIGGER message_unindex AFTER DELETE ON message BEGIN
                    INSERT INTO message_fts(message_fts, rowid, text)
                        SELECT 'delete', old.seq, old.text WHERE old.command IN ('PRIVMSG', 'NOTICE')
                        AND EXISTS (SELECT 1 FROM message_index WHERE seq = old.seq);
                    DELETE FROM message_index WHERE seq = old.seq;
                END;
                CREATE TABLE channel (
                    folded TEXT PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL,
                    topic TEXT,
                    topic_setter TEXT,
                    topic_time INTEGER,
                    flags TEXT NOT NULL,
                    key TEXT,
                    user_limit INTEGER,
                    created INTEGER NOT NULL
                );
                CREATE TABLE read_marker (
                    owner TEXT NOT NULL,
                    target TEXT NOT NULL,
                    time INTEGER NOT NULL,
                    PRIMARY KEY (owner, target)
                );
                """)
        }
        migrator.registerMigration("v2-accounts") { db in
            try db.execute(sql: """
                CREATE TABLE account (
                    folded TEXT PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL,
                    credentials TEXT NOT NULL,
                    registered INTEGER NOT NULL
                );
                """)
        }
        migrator.registerMigration("v3-account-certificates") { db in
            try db.execute(sql: "ALTER TABLE account ADD COLUMN certificates TEXT NOT NULL DEFAULT ''")
        }
        migrator.registerMigration("v4-channel-lists") { db in
            try db.execute(sql: "ALTER TABLE channel ADD COLUMN lists TEXT NOT NULL DEFAULT ''")
        }
        migrator.registerMigration("v5-compact-events") { db in
            try migrateToCompactEvents(db)
        }
        migrator.registerMigration("v6-targets-index") { db in
            // TARGETS without a scan of the history: each indexed row's time, an index by
            // conversation and time, and the list of conversations.
            try db.execute(sql: """
                ALTER TABLE message_index ADD COLUMN time INTEGER NOT NULL DEFAULT 0;
                UPDATE message_index SET time = IFNULL((SELECT time FROM event WHERE event.seq = message_index.seq), 0);
                CREATE INDEX message_index_by_time ON message_index(conversation, time);
                CREATE TABLE conversation (name TEXT PRIMARY KEY NOT NULL) WITHOUT ROWID;
                INSERT OR IGNORE INTO conversation (name) SELECT DISTINCT conversation FROM message_index;
                """)
        }
        return migrator
    }

    /// `v5`: messages move from `message` (a serialised line per row) to `event` (``StoredMessage``
    /// bodies), keeping their `seq`; the indexes are rebuilt in the background.
    private static func migrateToCompactEvents(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE event (
                seq INTEGER PRIMARY KEY,
                conversation TEXT NOT NULL,
                msgid TEXT NOT NULL,
                time INTEGER NOT NULL,
                sender TEXT NOT NULL,
                command TEXT NOT NULL,
                text TEXT NOT NULL,
                body BLOB NOT NULL
            );
            """)
        let rows = try Row.fetchCursor(db, sql: "SELECT seq, conversation, time, line FROM message ORDER BY seq")
        let insert = try db.makeStatement(sql: """
            INSERT INTO event (seq, conversation, msgid, time, sender, command, text, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """)
        while let row = try rows.next() {
            let line: String = row["line"]
            // Stored lines may be longer than a client may send (the server adds the source).
            guard let message = try? IRCMessage.parse(line, limits: IRCLimits(maxLineLength: 16_384, maxTagsLength: 32_768)) else {
                continue
            }
            let record = HistoryRecord(conversation: row["conversation"],
                                       time: Timestamp(millisecondsSinceEpoch: row["time"]), message: message)
            let batch = HistoryRowBatch([record])
            try batch.bytes.withUnsafeBufferPointer { buffer in
                let stored = batch.rows[0]
                func text(_ range: Range<Int>) -> String { String(decoding: buffer[range], as: UTF8.self) }
                try insert.execute(arguments: [row["seq"] as Int64, text(stored.conversation), text(stored.msgid), stored.time,
                                               text(stored.sender), text(stored.command), text(stored.text),
                                               Data(buffer[stored.body])])
            }
        }
        try db.execute(sql: """
            DROP TRIGGER message_unindex;
            DROP TABLE message_fts;
            DROP TABLE message;
            DELETE FROM message_index;
            UPDATE index_progress SET last_seq = 0;
            -- `detail=none` keeps the search index small and fast (words, no phrases); no column sizes (no ranking).
            CREATE VIRTUAL TABLE message_fts USING fts5(text, content='event', content_rowid='seq', detail=none, columnsize=0);
            -- Only what was indexed is taken out (an unindexed row or a duplicate was never in).
            CREATE TRIGGER event_unindex AFTER DELETE ON event BEGIN
                INSERT INTO message_fts(message_fts, rowid, text)
                    SELECT 'delete', old.seq, old.text WHERE old.command IN ('PRIVMSG', 'NOTICE')
                    AND EXISTS (SELECT 1 FROM message_index WHERE seq = old.seq);
                DELETE FROM message_index WHERE seq = old.seq;
            END;
            """)
    }

    // MARK: - Indexes

    /// Indexes everything stored (before a query).
    public func catchUpIndexes() throws {
        while try indexPending(limit: 50_000) > 0 {}
    }

    /// Adds up to `limit` stored rows not yet indexed to the lookup index and the search index;
    /// returns how many rows it went past (0 when the indexes are current). Run when the history
    /// thread has nothing else to do, and before a query. A message stored twice (same
    /// conversation and msgid) is indexed once.
    @discardableResult
    public func indexPending(limit: Int, upTo target: Int64 = .max) throws -> Int {
        try pool.write { db in
            let last = try Int64.fetchOne(db, sql: "SELECT last_seq FROM index_progress") ?? 0
            let newest = min(target, try Int64.fetchOne(db, sql: Self.newestSeqSQL) ?? 0)
            guard newest > last else { return 0 }
            let upper = min(newest, last + Int64(limit))
            try db.execute(sql: """
                INSERT OR IGNORE INTO message_index (seq, conversation, msgid, time) SELECT seq, conversation, msgid, time FROM event
                WHERE seq > ? AND seq <= ?
                """, arguments: [last, upper])
            try db.execute(sql: """
                INSERT OR IGNORE INTO conversation (name) SELECT DISTINCT conversation FROM event WHERE seq > ? AND seq <= ?
                """, arguments: [last, upper])
            try db.execute(sql: """
                INSERT INTO message_fts(rowid, text) SELECT m.seq, m.text FROM message_index i JOIN event m ON m.seq = i.seq
                WHERE i.seq > ? AND i.seq <= ? AND m.command IN ('PRIVMSG', 'NOTICE')
                """, arguments: [last, upper])
            try db.execute(sql: "UPDATE index_progress SET last_seq = ?", arguments: [upper])
            return Int(upper - last)
        }
    }

    /// The `seq` of the newest row stored.
    public func newestSeq() throws -> Int64 {
        try pool.read { db in try Int64.fetchOne(db, sql: Self.newestSeqSQL) ?? 0 }
    }

    private static let newestSeqSQL = "SELECT IFNULL(MAX(seq), 0) FROM event"

    // MARK: - Read markers

    /// Keeps a read marker (only ever moved forward by the server).
    public func save(_ marker: ReadMarker) throws {
        try pool.write { db in
            try db.execute(sql: "INSERT OR REPLACE INTO read_marker (owner, target, time) VALUES (?, ?, ?)",
                           arguments: [marker.owner, marker.target, marker.time.millisecondsSinceEpoch])
        }
    }

    public func readMarkers() throws -> [ReadMarker] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM read_marker ORDER BY owner, target").map { row in
                ReadMarker(owner: row["owner"], target: row["target"], time: Timestamp(millisecondsSinceEpoch: row["time"]))
            }
        }
    }

    // MARK: - Channels

    /// Keeps (or replaces) a channel's topic and modes.
    public func save(_ snapshot: ChannelSnapshot) throws {
        try pool.write { db in
            try db.execute(sql: """
                INSERT OR REPLACE INTO channel (folded, name, topic, topic_setter, topic_time, flags, key, user_limit, created, lists)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [CaseMapping.fold(snapshot.name), snapshot.name, snapshot.topic, snapshot.topicSetter,
                                 snapshot.topicTime?.millisecondsSinceEpoch, snapshot.flags, snapshot.modes.key,
                                 snapshot.modes.limit, snapshot.created.millisecondsSinceEpoch, snapshot.modes.lists.encoded])
        }
    }

    /// Deletes a redacted message, and the lines of a multiline message (`<msgid>-<n>`), from one
    /// conversation (and from the lookup and search indexes). Returns how many rows went.
    @discardableResult
    public func redact(conversation: String, msgid: String, indexesFirst: Bool = true) throws -> Int {
        if indexesFirst { try catchUpIndexes() }
        let pattern = msgid.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_") + "-%"
        return try pool.write { db in
            try db.execute(sql: """
                DELETE FROM event WHERE seq IN (SELECT seq FROM message_index
                    WHERE conversation = ? AND (msgid = ? OR msgid LIKE ? ESCAPE '\\'))
                """, arguments: [conversation, msgid, pattern])
            return db.changesCount
        }
    }

    /// Keeps (or replaces) an account.
    public func save(_ account: Account) throws {
        try pool.write { db in
            try db.execute(sql: """
                INSERT OR REPLACE INTO account (folded, name, credentials, registered, certificates) VALUES (?, ?, ?, ?, ?)
                """, arguments: [CaseMapping.fold(account.name), account.name, account.credentials.encoded,
                                 account.registered.millisecondsSinceEpoch, account.certificates.sorted().joined(separator: ",")])
        }
    }

    /// Every account (unreadable credentials are skipped: they could never log in).
    public func accounts() throws -> [Account] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT name, credentials, registered, certificates FROM account ORDER BY registered")
                .compactMap { row in
                guard let credentials = AccountCredentials(encoded: row["credentials"]) else { return nil }
                let certificates: String = row["certificates"]
                return Account(name: row["name"], credentials: credentials,
                               registered: Timestamp(millisecondsSinceEpoch: row["registered"]),
                               certificates: Set(certificates.split(separator: ",").map(String.init)))
            }
        }
    }

    /// Every kept channel.
    public func channels() throws -> [ChannelSnapshot] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM channel ORDER BY folded").map { row in
                let topicTime: Int64? = row["topic_time"]
                var modes = ChannelSnapshot.modes(flags: row["flags"], key: row["key"], limit: row["user_limit"])
                modes.lists = ChannelMaskLists(encoded: row["lists"])
                return ChannelSnapshot(name: row["name"], topic: row["topic"], topicSetter: row["topic_setter"],
                                       topicTime: topicTime.map { Timestamp(millisecondsSinceEpoch: $0) },
                                       modes: modes,
                                       created: Timestamp(millisecondsSinceEpoch: row["created"]))
            }
        }
    }

    private static func reason(_ error: any Error) -> String {
        if let error = error as? DatabaseError { return error.message ?? "\(error.resultCode)" }
        if let error = error as? CocoaError, let underlying = error.underlying as? POSIXError {
            return String(cString: strerror(underlying.code.rawValue))
        }
        return "\(error.localizedDescription)"
    }

    // MARK: - Writing

    /// Stores `records` in one transaction (a group commit). A message stored twice (same
    /// conversation and `msgid`) is indexed, and so read, once (``indexPending(limit:)``).
    public func append<Records: Collection<HistoryRecord>>(_ records: Records) throws {
        let batch = HistoryRowBatch(records)
        try append(batch, rows: 0..<batch.count)
    }

    /// Stores `batch`'s rows in `range` in one transaction (a group commit), each under the next
    /// `seq`: one past both the newest row and the newest ever indexed, so no `seq` is reused.
    func append(_ batch: HistoryRowBatch, rows range: Range<Int>) throws {
        try pool.write { db in
            var seq = try Int64.fetchOne(db.cachedStatement(sql: """
                SELECT MAX(IFNULL((SELECT MAX(seq) FROM event), 0), (SELECT last_seq FROM index_progress))
                """)) ?? 0
            // Rows go in `rowsPerInsert` at a time (one statement step for many rows), bound with
            // SQLite's own calls straight from the batch's buffer, as `SQLITE_STATIC` (the `nil`
            // destructor: no copies; the buffer outlives each step).
            let many = try db.cachedStatement(sql: Self.insertManySQL).sqliteStatement
            let one = try db.cachedStatement(sql: Self.insertOneSQL).sqliteStatement
            try batch.bytes.withUnsafeBufferPointer { buffer in
                // No binding may outlive the buffer it points into, error or not.
                defer {
                    sqlite3_clear_bindings(many)
                    sqlite3_clear_bindings(one)
                }
                var index = range.lowerBound
                while index < range.upperBound {
                    let handle = range.upperBound - index >= Self.rowsPerInsert ? many : one
                    let count = handle == many ? Self.rowsPerInsert : 1
                    sqlite3_reset(handle)
                    for (slot, row) in batch.rows[index..<index + count].enumerated() {
                        seq += 1
                        let first = Int32(slot * 8)
                        sqlite3_bind_int64(handle, first + 1, seq)
                        Self.bindText(buffer, row.conversation, at: first + 2, in: handle)
                        Self.bindText(buffer, row.msgid, at: first + 3, in: handle)
                        sqlite3_bind_int64(handle, first + 4, row.time)
                        Self.bindText(buffer, row.sender, at: first + 5, in: handle)
                        Self.bindText(buffer, row.command, at: first + 6, in: handle)
                        Self.bindText(buffer, row.text, at: first + 7, in: handle)
                        _ = sqlite3_bind_blob(handle, first + 8, Self.pointer(buffer, row.body), Int32(row.body.count), nil)
                    }
                    let code = sqlite3_step(handle)
                    sqlite3_reset(handle)
                    guard code == SQLITE_DONE else {
                        throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
                    }
                    index += count
                }
            }
        }
    }

    /// Rows one insert statement takes (8 parameters each).
    static let rowsPerInsert = 32

    private static let insertManySQL = insertSQL(rows: rowsPerInsert)
    private static let insertOneSQL = insertSQL(rows: 1)

    private static func insertSQL(rows: Int) -> String {
        "INSERT INTO event (seq, conversation, msgid, time, sender, command, text, body) VALUES "
            + Array(repeating: "(?, ?, ?, ?, ?, ?, ?, ?)", count: rows).joined(separator: ", ")
    }

    private static func bindText(_ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, at index: Int32,
                                 in statement: OpaquePointer) {
        _ = sqlite3_bind_text(statement, index, pointer(buffer, range).assumingMemoryBound(to: CChar.self),
                              Int32(range.count), nil)
    }

    /// Where `range` starts in `buffer` (never empty: every row has a body).
    private static func pointer(_ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> UnsafeRawPointer {
        UnsafeRawPointer(buffer.baseAddress! + range.lowerBound)
    }

    /// Deletes what is older than `cutoff`; returns how many rows went.
    @discardableResult
    public func prune(olderThan cutoff: Timestamp) throws -> Int {
        try pool.write { db in
            // Rows are stored in time order (nearly: relayed messages keep their origin's time), so
            // the cut is the first row at or after the cutoff, found from the oldest end.
            try db.execute(sql: """
                DELETE FROM event WHERE seq < IFNULL(
                    (SELECT seq FROM event WHERE time >= ? ORDER BY seq LIMIT 1),
                    (SELECT IFNULL(MAX(seq), 0) + 1 FROM event))
                """, arguments: [cutoff.millisecondsSinceEpoch])
            return db.changesCount
        }
    }

    /// Messages stored and reachable (duplicates counted once).
    public func count() throws -> Int {
        try catchUpIndexes()
        return try pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM message_index") ?? 0 }
    }

    // MARK: - Reading

    /// The entries a `CHATHISTORY` selection asks for, oldest first.
    /// - Throws: ``UnknownReference`` when a `msgid=` reference is not in the conversation.
    /// - Parameter indexesFirst: catch the indexes up first, so that the query sees everything
    ///   stored (the history thread does it itself, up to the query's turn).
    public func entries(_ request: HistoryRequest, indexesFirst: Bool = true) throws -> [HistoryEntry] {
        if indexesFirst { try catchUpIndexes() }
        let conversation = request.conversation
        let limit = request.query.limit
        return try pool.read { db in
            func bound(_ reference: HistoryReference) throws -> Bound {
                switch reference {
                case .timestamp(let time):
                    return Bound(column: "m.time", value: time.millisecondsSinceEpoch, time: time.millisecondsSinceEpoch)
                case .msgid(let msgid):
                    guard let row = try Row.fetchOne(db, sql: """
                        SELECT i.seq, m.time FROM message_index i JOIN event m ON m.seq = i.seq
                        WHERE i.conversation = ? AND i.msgid = ?
                        """, arguments: [conversation, msgid]) else { throw UnknownReference() }
                    return Bound(column: "i.seq", value: row["seq"], time: row["time"])
                }
            }
            // Without event playback, only messages count towards the limit.
            let kinds = request.eventPlayback ? "" : " AND m.command IN ('PRIVMSG', 'NOTICE')"
            func fetch(_ condition: String, _ arguments: [any DatabaseValueConvertible], descending: Bool, limit: Int) throws -> [HistoryEntry] {
                guard limit > 0 else { return [] }
                let sql = "SELECT m.* FROM message_index i JOIN event m ON m.seq = i.seq WHERE i.conversation = ?"
                    + "\(kinds)\(condition.isEmpty ? "" : " AND " + condition) "
                    + "ORDER BY i.seq \(descending ? "DESC" : "ASC") LIMIT ?"
                let rows = try Row.fetchAll(db, sql: sql, arguments: StatementArguments([conversation] + arguments + [limit]))
                let entries = rows.compactMap(Self.entry)
                return descending ? entries.reversed() : entries
            }
            switch request.query.selection {
            case .latest(let after):
                guard let after else { return try fetch("", [], descending: true, limit: limit) }
                let start = try bound(after)
                return try fetch("\(start.column) > ?", [start.value], descending: true, limit: limit)
            case .before(let reference):
                let end = try bound(reference)
                return try fetch("\(end.column) < ?", [end.value], descending: true, limit: limit)
            case .after(let reference):
                let start = try bound(reference)
                return try fetch("\(start.column) > ?", [start.value], descending: false, limit: limit)
            case .around(let reference):
                let middle = try bound(reference)
                let before = try fetch("\(middle.column) < ?", [middle.value], descending: true, limit: limit / 2)
                let after = try fetch("\(middle.column) >= ?", [middle.value], descending: false, limit: limit - before.count)
                return before + after
            case .between(let first, let second):
                let (a, b) = (try bound(first), try bound(second))
                if a.time <= b.time {
                    return try fetch("\(a.column) > ? AND \(b.column) < ?", [a.value, b.value], descending: false, limit: limit)
                }
                return try fetch("\(a.column) < ? AND \(b.column) > ?", [a.value, b.value], descending: true, limit: limit)
            case .targets:
                return []
            case .search(let criteria):
                return try search(criteria, request: request, db: db)
            }
        }
    }

    /// `SEARCH`: messages with every word of the text, in the target or in every conversation the
    /// client may read, newest `limit` of them, oldest first.
    private func search(_ criteria: HistoryQuery.SearchCriteria, request: HistoryRequest, db: Database) throws -> [HistoryEntry] {
        // Each word quoted: FTS5 operators typed by a user are searched for as words.
        let words = criteria.text.split(whereSeparator: { $0.isWhitespace })
            .map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
        guard !words.isEmpty else { return [] }
        var conditions = ["message_fts MATCH ?", "m.command IN ('PRIVMSG', 'NOTICE')"]
        var arguments: [any DatabaseValueConvertible] = [words.joined(separator: " ")]
        if request.conversation.isEmpty {
            let (condition, scope) = Self.readable(by: request, column: "m.conversation")
            conditions.append(condition)
            arguments += scope
        } else {
            conditions.append("m.conversation = ?")
            arguments.append(request.conversation)
        }
        if let from = criteria.from {
            conditions.append("m.sender = ? COLLATE NOCASE")
            arguments.append(from)
        }
        if let after = criteria.after {
            conditions.append("m.time > ?")
            arguments.append(after.millisecondsSinceEpoch)
        }
        if let before = criteria.before {
            conditions.append("m.time < ?")
            arguments.append(before.millisecondsSinceEpoch)
        }
        arguments.append(request.query.limit)
        let sql = "SELECT m.* FROM message_fts JOIN event m ON m.seq = message_fts.rowid WHERE "
            + conditions.joined(separator: " AND ") + " ORDER BY m.seq DESC LIMIT ?"
        return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).compactMap(Self.entry).reversed()
    }

    /// The SQL condition (and its arguments) for "a conversation `request`'s client may read": its
    /// channels and its own private conversations.
    private static func readable(by request: HistoryRequest, column: String) -> (String, [any DatabaseValueConvertible]) {
        let own = CaseMapping.fold(request.nick)
        let escaped = own.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_")
        let placeholders = Array(repeating: "?", count: request.channels.count).joined(separator: ",")
        let channels = request.channels.isEmpty ? "" : "\(column) IN (\(placeholders)) OR "
        let condition = "(\(channels)\(column) LIKE ? ESCAPE '\\' OR \(column) LIKE ? ESCAPE '\\')"
        return (condition, request.channels + [escaped + " %", "% " + escaped])
    }

    /// For `TARGETS`: the client's channels (of `request.channels`) and private conversations with
    /// a message between the two instants, newest first.
    public func targets(_ request: HistoryRequest, indexesFirst: Bool = true) throws -> [HistoryReply.Target] {
        guard case .targets(let from, let to) = request.query.selection else { return [] }
        if indexesFirst { try catchUpIndexes() }
        let own = CaseMapping.fold(request.nick)
        let (readable, scope) = Self.readable(by: request, column: "c.name")
        // Over the (few) conversations the client may read, each one's newest row in the range
        // through the (conversation, time) index: no scan of the history.
        let sql = """
            SELECT conversation, latest FROM (
                SELECT c.name AS conversation, (SELECT MAX(i.time) FROM message_index i
                                                WHERE i.conversation = c.name AND i.time > ? AND i.time < ?) AS latest
                FROM conversation c WHERE \(readable))
            WHERE latest IS NOT NULL ORDER BY latest DESC LIMIT ?
            """
        let arguments: [any DatabaseValueConvertible] = [from.millisecondsSinceEpoch, to.millisecondsSinceEpoch] + scope
            + [request.query.limit]
        return try pool.read { db in
            try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).compactMap { row in
                let conversation: String = row["conversation"]
                let name = conversation.hasPrefix("#") ? conversation : HistoryConversation.peer(in: conversation, of: own)
                return name.map { HistoryReply.Target(name: $0, latest: Timestamp(millisecondsSinceEpoch: row["latest"])) }
            }
        }
    }

    private struct Bound {
        var column: String
        var value: Int64
        var time: Int64
    }

    /// The entry of an `event` row (`nil` for a body this version cannot read).
    private static func entry(_ row: Row) -> HistoryEntry? {
        let text: String = row["text"]
        let body: Data = row["body"]
        guard let message = body.withUnsafeBytes({ StoredMessage.decode($0, text: text) }) else { return nil }
        return HistoryRecord(conversation: row["conversation"], time: Timestamp(millisecondsSinceEpoch: row["time"]),
                             message: message).entry
    }
}
