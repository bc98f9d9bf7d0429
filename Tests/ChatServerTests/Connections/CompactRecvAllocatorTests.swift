import NIOCore
import Testing

@testable import ChatServer

@Suite struct CompactRecvAllocatorTests {
    /// Same sizes, step for step, as NIO's own adaptive allocator with the same bounds.
    @Test func sizesLikeNIOsAdaptiveAllocator() {
        var reference = AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 64, maximum: 65536)
        var compact = CompactRecvAllocator()
        var generator = SystemRandomNumberGenerator()
        for step in 0..<20_000 {
            // Runs of full reads and of small reads, so sizes climb to the top and fall back.
            let phase = (step / 500) % 3
            let size = compact.nextBufferSize()!
            let read: Int
            switch phase {
            case 0: read = size
            case 1: read = Int.random(in: 0...size, using: &generator)
            default: read = Int.random(in: 0...40, using: &generator)
            }
            let grewReference = reference.record(actualReadBytes: read)
            let grewCompact = compact.record(actualReadBytes: read)
            #expect(grewCompact == grewReference, "step \(step)")
            #expect(compact.nextBufferSize() == reference.nextBufferSize(), "step \(step)")
            if compact.nextBufferSize() != reference.nextBufferSize() { return }
        }
        #expect(compact.buffer(allocator: ByteBufferAllocator()).capacity >= compact.nextBufferSize()!)
    }

    @Test func reachesBothBoundsAndStaysInside() {
        var compact = CompactRecvAllocator()
        for _ in 0..<30 { _ = compact.record(actualReadBytes: compact.nextBufferSize()!) }
        #expect(compact.nextBufferSize() == 65536)
        for _ in 0..<60 { _ = compact.record(actualReadBytes: 1) }
        #expect(compact.nextBufferSize() == 64)
    }

    @Test func fitsInAnExistentialsInlineRoom() {
        #expect(MemoryLayout<CompactRecvAllocator>.size <= 3 * MemoryLayout<Int>.size)
    }
}
