import NIOCore

/// NIO's adaptive receive-buffer sizing (halve after two reads that used at most half the
/// buffer, double after a read that filled it, powers of two between 64 bytes and 64 KiB) in two
/// bytes of state.
///
/// A channel keeps its receive allocator in an existential; `AdaptiveRecvByteBufferAllocator` is
/// 33 bytes, too big for the existential's inline room, so every channel got its own heap box
/// (about 65 bytes with malloc's overhead) on its first read. This one fits inline.
struct CompactRecvAllocator: RecvByteBufferAllocator {
    static let minimumShift: UInt8 = 6
    static let maximumShift: UInt8 = 16

    private var shift: UInt8 = Self.minimumShift
    private var decreaseNow = false

    init() {}

    private var size: Int { 1 << Int(shift) }

    func buffer(allocator: ByteBufferAllocator) -> ByteBuffer {
        allocator.buffer(capacity: size)
    }

    func nextBufferSize() -> Int? {
        size
    }

    mutating func record(actualReadBytes: Int) -> Bool {
        if actualReadBytes <= size >> 1 && shift > Self.minimumShift {
            if decreaseNow {
                shift -= 1
                decreaseNow = false
            } else {
                decreaseNow = true
            }
            return false
        }
        decreaseNow = false
        if actualReadBytes >= size && shift < Self.maximumShift {
            shift += 1
            return true
        }
        return false
    }
}
