import Foundation

/// README.md as the tests read it: its fenced code blocks and the commands they show.
public struct Readme: Sendable {
    public struct Block: Sendable {
        /// The fence's info string (`sh`, or empty).
        public var info: String
        public var lines: [String]
        /// The nearest heading above the block.
        public var heading: String
    }

    public struct Missing: Error, CustomStringConvertible {
        public var description: String
    }

    public let blocks: [Block]
    /// The whole text.
    public let text: String

    public init(text: String) {
        self.text = text
        var blocks: [Block] = []
        var heading = ""
        var current: Block?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.hasPrefix("```") {
                if let block = current {
                    blocks.append(block)
                    current = nil
                } else {
                    current = Block(info: String(line.dropFirst(3)), lines: [], heading: heading)
                }
            } else if current != nil {
                current!.lines.append(line)
            } else if line.hasPrefix("#") {
                heading = line.drop { $0 == "#" }.trimmingCharacters(in: .whitespaces)
            }
        }
        self.blocks = blocks
    }

    /// The package's README.md.
    public static func load() throws -> Readme {
        let url = UnprivilegedUser.packageRoot.appendingPathComponent("README.md")
        return Readme(text: try String(contentsOf: url, encoding: .utf8))
    }

    /// Every command the README shows: the lines of `sh` blocks, and the `$ ` lines of other blocks.
    public var commands: [String] {
        blocks.flatMap { block -> [String] in
            if block.info == "sh" {
                return block.lines.filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty && !$0.hasPrefix("#") }
            }
            return block.lines.filter { $0.hasPrefix("$ ") }.map { String($0.dropFirst(2)) }
        }
    }

    /// The one command that contains `needle`.
    public func command(_ needle: String) throws -> String {
        let matches = commands.filter { $0.contains(needle) }
        guard matches.count == 1 else {
            throw Missing(description: "README.md: expected one command containing '\(needle)', found \(matches)")
        }
        return matches[0]
    }

    /// The one block whose first line is `firstLine` (or, with `containing`, that holds a line containing it).
    public func block(firstLine: String? = nil, containing: String? = nil) throws -> Block {
        let matches = blocks.filter { block in
            (firstLine.map { block.lines.first == $0 } ?? true)
                && (containing.map { needle in block.lines.contains { $0.contains(needle) } } ?? true)
        }
        guard matches.count == 1 else {
            throw Missing(description: "README.md: expected one block (\(firstLine ?? "") \(containing ?? "")), found \(matches.count)")
        }
        return matches[0]
    }

    /// The `--flags` named in the first column of the tables under `heading`.
    public func tableFlags(under heading: String) -> [String] {
        var flags: [String] = []
        var current = ""
        var inFence = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```") { inFence.toggle(); continue }
            if inFence { continue }
            if line.hasPrefix("#") { current = line.drop { $0 == "#" }.trimmingCharacters(in: .whitespaces); continue }
            guard current == heading, line.hasPrefix("| `--") else { continue }
            let cell = line.dropFirst(3)
            if let end = cell.firstIndex(where: { $0 == " " || $0 == "`" || $0 == "=" }) {
                flags.append(String(cell[..<end]))
            }
        }
        return flags
    }

    /// Checks `output` against lines the README shows: each shown line must appear in order; `…`
    /// stands for any number of lines and `HH:MM` at the start of a line for any time. Returns the
    /// shown lines that were not found.
    public static func missingLines(shown: [String], in output: [String]) -> [String] {
        var missing: [String] = []
        var position = 0
        for line in shown where line != "…" {
            if let found = output[position...].firstIndex(where: { matches(shown: line, actual: $0) }) {
                position = found + 1
            } else {
                missing.append(line)
            }
        }
        return missing
    }

    static func matches(shown: String, actual: String) -> Bool {
        let shownBytes = Array(shown.utf8), actualBytes = Array(actual.utf8)
        let isClock = shownBytes.count >= 5 && shownBytes[2] == UInt8(ascii: ":")
            && [0, 1, 3, 4].allSatisfy { shownBytes[$0] >= 48 && shownBytes[$0] <= 57 }
        guard isClock else { return shown == actual }
        return actualBytes.count >= 5 && actualBytes[2] == UInt8(ascii: ":")
            && shownBytes[5...].elementsEqual(actualBytes[5...])
    }
}
