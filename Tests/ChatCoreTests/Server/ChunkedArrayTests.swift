import ChatCore
import Testing

@Suite struct ChunkedArrayTests {
    @Test func behavesLikeAnArrayAcrossChunkBoundaries() {
        var chunked = ChunkedArray<Int?>()
        var plain: [Int?] = []
        for value in 0..<1_300 {
            chunked.append(value)
            plain.append(value)
        }
        for index in stride(from: 0, to: 1_300, by: 7) {
            chunked[index] = nil
            plain[index] = nil
        }
        chunked[512]! += 1_000
        plain[512]! += 1_000
        #expect(chunked.count == plain.count)
        #expect(Array(chunked) == plain)
        #expect(chunked.compactMap { $0 }.reduce(0, +) == plain.compactMap { $0 }.reduce(0, +))
        #expect(chunked.indices == plain.indices)
    }

    @Test func copiesAreIndependentValues() {
        var original = ChunkedArray<String>()
        for index in 0..<600 { original.append("v\(index)") }
        var copy = original
        copy[599] = "changed"
        copy.append("extra")
        #expect(original[599] == "v599")
        #expect(original.count == 600)
        #expect(copy[599] == "changed")
        #expect(copy.count == 601)
    }

    @Test func emptyHasNoElements() {
        let empty = ChunkedArray<Int>()
        #expect(empty.isEmpty)
        #expect(Array(empty) == [])
    }
}
