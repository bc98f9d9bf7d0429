import Foundation
import Testing

@testable import ChatTUI

/// Every buffer is logged as plain text per network, buffer and day, privately, off the UI thread.
@Suite struct ChatLogWriterTests {
    @Test func linesGoToOneFilePerNetworkBufferAndDay() throws {
        let directory = NSTemporaryDirectory() + "chatty-logs-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let writer = ChatLogWriter(directory: directory, utcOffsetSeconds: 0) { problem in Issue.record("\(problem)") }
        let day: Int64 = 1_796_212_800_000  // 2026-12-02 12:00:00 UTC
        writer.write([
            .init(network: "Chatty", buffer: "#Chatty", time: day, text: "<alice> hello"),
            .init(network: "Chatty", buffer: "#Chatty", time: day + 61_000, text: "-- bob has joined #Chatty"),
            .init(network: "Chatty", buffer: "#Chatty", time: day + 86_400_000, text: "<alice> next day"),
            .init(network: "Chatty", buffer: "../evil", time: day, text: "<x> y"),
        ])
        writer.flush()
        let file = directory + "/Chatty/#chatty/2026-12-02.log"
        #expect(try String(contentsOfFile: file, encoding: .utf8)
                == "2026-12-02 12:00:00 <alice> hello\n2026-12-02 12:01:01 -- bob has joined #Chatty\n")
        #expect(try String(contentsOfFile: directory + "/Chatty/#chatty/2026-12-03.log", encoding: .utf8)
                == "2026-12-03 12:00:00 <alice> next day\n")
        #expect(FileManager.default.fileExists(atPath: directory + "/Chatty/.._evil/2026-12-02.log"), "a name is one path component")
        let attributes = try FileManager.default.attributesOfItem(atPath: file)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let folder = try FileManager.default.attributesOfItem(atPath: directory + "/Chatty/#chatty")
        #expect((folder[.posixPermissions] as? Int) == 0o700)
    }

    @Test func aFailingDiskIsReportedOnce() throws {
        let blocker = NSTemporaryDirectory() + "chatty-logs-file-\(UUID().uuidString)"
        #expect(FileManager.default.createFile(atPath: blocker, contents: Data("not a directory".utf8)))
        defer { try? FileManager.default.removeItem(atPath: blocker) }
        let reports = Reports()
        let writer = ChatLogWriter(directory: blocker, utcOffsetSeconds: 0) { reports.add($0) }
        writer.write([.init(network: "n", buffer: "#a", time: 0, text: "x")])
        writer.write([.init(network: "n", buffer: "#b", time: 0, text: "y")])
        writer.flush()
        #expect(reports.all.count == 1)
        #expect(reports.all.first?.contains("Logging to") == true)
        #expect(reports.all.first?.hasSuffix("); chat goes on without it") == true, "\(reports.all)")
        #expect(reports.all.first?.contains("failed (Not a directory); chat goes on") == true, "the system's words: \(reports.all)")
    }

    @Test func theViewModelLogsWhatItShowsButNotOldHistory() {
        var vm = Fixture.viewModel()
        vm.logNetwork = "Chatty"
        vm.append(Fixture.message("live"), to: "#swift")
        vm.append(Fixture.message("from history"), to: "#swift", quiet: true)
        vm.append(ChatLine(hour: 9, minute: 0, kind: .info, text: "welcome"), to: nil)
        #expect(vm.takeLogEntries().map { "\($0.buffer) \($0.text)" } == ["#swift <alice> live", "server -- welcome"])
        #expect(vm.takeLogEntries().isEmpty)
    }
}

private final class Reports: @unchecked Sendable {
    // Safe: `lock` guards `lines`.
    private let lock = NSLock()
    private var lines: [String] = []
    func add(_ line: String) { lock.lock(); lines.append(line); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return lines }
}
