import Foundation

/// `--config FILE`: a file of the same options as the command line, one per line
/// (`listen 127.0.0.1:6667`, `peer = 127.0.0.1:7001`, `--flood-rate 0`), `#` comments and blank
/// lines ignored. The file's options are inserted where `--config FILE` stood, so options given
/// later on the command line add to or override them exactly as repeated flags do.
///
/// A client's file may go on with sections, one per further network (`[libera]`, then that
/// network's `server`, `nick`, `channel`… lines): each becomes one `--connect "libera; server …;
/// nick …"` option (see ``NetworkOptions``).
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

    /// The options of one file, as command-line arguments (each section as one `--connect`).
    static func options(in text: String, file: String) throws -> [String] {
        let parsed = try parse(text, file: file)
        return parsed.entries.flatMap { entry in
            ["--" + entry.name] + (entry.value.map { [$0] } ?? [])
        } + parsed.sections.flatMap { ["--connect", $0.argument] }
    }

    /// The options of one file before its first section, in order: each name (without `--`) and
    /// value (`nil` for a flag).
    static func entries(in text: String, file: String) throws -> [(name: String, value: String?)] {
        try parse(text, file: file).entries
    }

    /// A `[name]` section: a further network's options.
    struct Section {
        var name: String
        var entries: [(name: String, value: String?)]

        /// As the value of `--connect`: `name; option value; flag; …` (see ``networkParts(_:)``).
        var argument: String {
            ConfigFile.networkArgument([name] + entries.map { entry in entry.value.map { "\(entry.name) \($0)" } ?? entry.name })
        }
    }

    /// Joins a network's parts with `; `, a `;` or `\` inside a part escaped with `\`.
    static func networkArgument(_ parts: [String]) -> String {
        parts.map { $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: ";", with: "\\;") }
            .joined(separator: "; ")
    }

    /// Splits a `--connect` value at each `;` not escaped with `\` (so a password may hold one: `\;`),
    /// trimming each part.
    static func networkParts(_ argument: String) -> [String] {
        var parts: [String] = []
        var current = ""
        var escaped = false
        for character in argument {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == ";" {
                parts.append(current.trimmingCharacters(in: .whitespaces))
                current = ""
            } else {
                current.append(character)
            }
        }
        if escaped { current.append("\\") }
        parts.append(current.trimmingCharacters(in: .whitespaces))
        return parts
    }

    /// The line that opens a section, or `nil`.
    static func sectionName(in rawLine: String) -> String? {
        let line = rawLine.trimmingCharacters(in: .whitespaces)
        guard line.hasPrefix("["), line.hasSuffix("]") else { return nil }
        return String(line.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces)
    }

    /// Whether a section (network) name is usable: letters, digits, `-`, `_` and `.`, 1–32 of them.
    static func isValidSectionName(_ name: String) -> Bool {
        (1...32).contains(name.count) && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
    }

    static func parse(_ text: String, file: String) throws -> (entries: [(name: String, value: String?)], sections: [Section]) {
        var entries: [(name: String, value: String?)] = []
        var sections: [Section] = []
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if let name = sectionName(in: String(rawLine)) {
                guard isValidSectionName(name) else {
                    throw Error(description: "\(file):\(number + 1): a network's name is letters, digits, '-', '_' or '.' (got '[\(name)]')")
                }
                guard !sections.contains(where: { $0.name.lowercased() == name.lowercased() }) else {
                    throw Error(description: "\(file):\(number + 1): a second section [\(name)]")
                }
                sections.append(Section(name: name, entries: []))
                continue
            }
            guard let entry = entry(in: String(rawLine)) else { continue }
            guard !entry.name.isEmpty, entry.name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }), entry.name != "config" else {
                throw Error(description: "\(file):\(number + 1): expected an option name, got '\(rawLine.trimmingCharacters(in: .whitespaces))'")
            }
            if sections.isEmpty {
                entries.append(entry)
            } else {
                sections[sections.count - 1].entries.append(entry)
            }
        }
        return (entries, sections)
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
