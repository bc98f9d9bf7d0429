import Foundation

/// `--config FILE`: a file of the same options as the command line, one per line
/// (`listen 127.0.0.1:6667`, `peer = 127.0.0.1:7001`, `--flood-rate 0`), `#` comments and blank
/// lines ignored. The file's options are inserted where `--config FILE` stood, so options given
/// later on the command line add to or override them exactly as repeated flags do.
enum ConfigFile {
    struct Error: Swift.Error, CustomStringConvertible {
        var description: String
    }

    /// Expands every `--config FILE` in `arguments`.
    static func expand(_ arguments: [String], read: (String) throws -> String = { try String(contentsOfFile: $0, encoding: .utf8) }) throws -> [String] {
        var result: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            var path: String?
            if argument == "--config" {
                guard index + 1 < arguments.count else { throw Error(description: "--config needs a file") }
                path = arguments[index + 1]
                index += 2
            } else if argument.hasPrefix("--config=") {
                path = String(argument.dropFirst("--config=".count))
                index += 1
            } else {
                result.append(argument)
                index += 1
                continue
            }
            let text: String
            do {
                text = try read(path!)
            } catch {
                throw Error(description: "cannot read config file '\(path!)': \(error.localizedDescription)")
            }
            result += try options(in: text, file: path!)
        }
        return result
    }

    /// The options of one file, as command-line arguments.
    static func options(in text: String, file: String) throws -> [String] {
        try entries(in: text, file: file).flatMap { entry in
            ["--" + entry.name] + (entry.value.map { [$0] } ?? [])
        }
    }

    /// The options of one file in order: each name (without `--`) and value (`nil` for a flag).
    static func entries(in text: String, file: String) throws -> [(name: String, value: String?)] {
        var entries: [(name: String, value: String?)] = []
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            guard let entry = entry(in: String(rawLine)) else { continue }
            guard !entry.name.isEmpty, entry.name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }), entry.name != "config" else {
                throw Error(description: "\(file):\(number + 1): expected an option name, got '\(rawLine.trimmingCharacters(in: .whitespaces))'")
            }
            entries.append(entry)
        }
        return entries
    }

    /// One line's option, or `nil` for a blank line or a comment.
    static func entry(in rawLine: String) -> (name: String, value: String?)? {
        var line = rawLine.trimmingCharacters(in: .whitespaces)
        if line.hasSuffix("\r") { line.removeLast() }
        if line.isEmpty || line.hasPrefix("#") { return nil }
        var name = line
        var value: String?
        if let separator = line.firstIndex(where: { $0 == " " || $0 == "=" || $0 == "\t" }) {
            name = String(line[..<separator])
            value = line[separator...].drop { $0 == " " || $0 == "=" || $0 == "\t" }.description
        }
        if name.hasPrefix("--") { name.removeFirst(2) }
        return (name, value?.isEmpty == false ? value : nil)
    }
}
