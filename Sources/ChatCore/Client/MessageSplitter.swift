/// Cuts outgoing text into IRC-sized pieces.
///
/// Lines of the text (separated by any newline, including CR LF) become separate pieces; empty lines
/// are skipped. A line longer than `maxBytes` UTF-8 bytes is cut at grapheme-cluster boundaries,
/// preferably at a space (the space at the cut is dropped), and only for a single cluster larger than
/// `maxBytes` (pathological combining sequences) at Unicode scalar boundaries. A piece never splits a
/// UTF-8 sequence and never exceeds `maxBytes`.
public enum MessageSplitter {
    public static func split(_ text: String, maxBytes: Int) -> [String] {
        precondition(maxBytes >= 4, "maxBytes must fit any Unicode scalar")
        var pieces: [String] = []
        for line in text.split(whereSeparator: { $0.isNewline }) {
            let clean = line.filter { $0 != "\u{0}" }
            if clean.isEmpty { continue }
            pieces.append(contentsOf: chunks(of: clean, maxBytes: maxBytes))
        }
        return pieces
    }

    /// Pieces of one line that join back into it exactly (for `draft/multiline-concat`): nothing is
    /// dropped; a cut falls after a space where one is near the end of a piece (the space stays at the
    /// end, as the specification recommends), else between grapheme clusters.
    public static func concatenable(_ line: String, maxBytes: Int) -> [String] {
        precondition(maxBytes >= 4, "maxBytes must fit any Unicode scalar")
        if line.utf8.count <= maxBytes { return [line] }
        var pieces: [String] = []
        var current = ""
        var bytes = 0
        for character in line {
            let length = character.utf8.count
            if bytes + length > maxBytes, !current.isEmpty {
                if let space = current.lastIndex(of: " "), current.utf8[..<space].count >= maxBytes / 2 {
                    let cut = current.index(after: space)
                    pieces.append(String(current[..<cut]))
                    current = String(current[cut...])
                } else {
                    pieces.append(current)
                    current = ""
                }
                bytes = current.utf8.count
            }
            current.append(character)
            bytes += length
        }
        if !current.isEmpty { pieces.append(current) }
        return pieces
    }

    static func chunks(of line: String, maxBytes: Int) -> [String] {
        if line.utf8.count <= maxBytes { return [line] }
        let characters = Array(line)
        var pieces: [String] = []
        var start = 0
        while start < characters.count {
            var end = start
            var bytes = 0
            var lastSpace: Int?
            var bytesBeforeLastSpace = 0
            while end < characters.count, bytes + characters[end].utf8.count <= maxBytes {
                if characters[end] == " " {
                    lastSpace = end
                    bytesBeforeLastSpace = bytes
                }
                bytes += characters[end].utf8.count
                end += 1
            }
            if end == characters.count {
                pieces.append(String(characters[start..<end]))
                break
            }
            if end == start {
                // One grapheme cluster larger than the limit: cut it at scalar boundaries.
                pieces.append(contentsOf: scalarChunks(of: characters[start], maxBytes: maxBytes))
                start += 1
                continue
            }
            if characters[end] == " " {
                // The cut falls exactly on a space.
                pieces.append(String(characters[start..<end]))
                start = end + 1
            } else if let lastSpace, lastSpace > start, bytesBeforeLastSpace >= maxBytes / 2 {
                pieces.append(String(characters[start..<lastSpace]))
                start = lastSpace + 1
            } else {
                pieces.append(String(characters[start..<end]))
                start = end
            }
        }
        return pieces.filter { !$0.isEmpty }
    }

    private static func scalarChunks(of character: Character, maxBytes: Int) -> [String] {
        var pieces: [String] = []
        var current = String.UnicodeScalarView()
        var bytes = 0
        for scalar in character.unicodeScalars {
            let length = UTF8.width(scalar)
            if bytes + length > maxBytes {
                pieces.append(String(current))
                current = String.UnicodeScalarView()
                bytes = 0
            }
            current.append(scalar)
            bytes += length
        }
        if !current.isEmpty { pieces.append(String(current)) }
        return pieces
    }
}
