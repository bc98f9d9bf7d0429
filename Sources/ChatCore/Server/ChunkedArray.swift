/// A growable array stored in fixed-size chunks, for per-connection tables indexed by a small
/// integer id (client records, outboxes).
///
/// A plain `Array` doubles its storage when it grows: with 19,000 connections a table of
/// 256-byte records sits in storage for 32,768, and each doubling briefly holds the old and the
/// new copy. Here growth adds one chunk, never copies the elements, and leaves at most one
/// partly filled chunk. Reading an element costs one extra indirection.
public struct ChunkedArray<Element>: RandomAccessCollection, MutableCollection {
    // @inlinable, not only @usableFromInline: the server indexes client records through these
    // on every delivery, and without cross-module optimisation an out-of-line call here cost
    // 4 % of its instructions (docs/BENCHMARKS.md).
    @inlinable static var chunkShift: Int { 9 }
    @inlinable static var chunkSize: Int { 1 << chunkShift }
    @inlinable static var chunkMask: Int { chunkSize - 1 }

    @usableFromInline var chunks: [[Element]] = []
    @usableFromInline var _count = 0
    @inlinable public var count: Int { _count }

    @inlinable public init() {}

    @inlinable public var startIndex: Int { 0 }
    @inlinable public var endIndex: Int { count }

    @inlinable public subscript(position: Int) -> Element {
        // `_read` rather than `get`: reading one field of a large element (a client record)
        // borrows it in place instead of copying the whole element and its references.
        _read {
            precondition(position >= 0 && position < count, "ChunkedArray index out of range")
            yield chunks[position >> Self.chunkShift][position & Self.chunkMask]
        }
        _modify {
            precondition(position >= 0 && position < count, "ChunkedArray index out of range")
            yield &chunks[position >> Self.chunkShift][position & Self.chunkMask]
        }
    }

    @inlinable public mutating func append(_ element: Element) {
        if count & Self.chunkMask == 0 {
            var chunk: [Element] = []
            chunk.reserveCapacity(Self.chunkSize)
            chunks.append(chunk)
        }
        chunks[chunks.count - 1].append(element)
        _count += 1
    }
}

extension ChunkedArray: Sendable where Element: Sendable {}
