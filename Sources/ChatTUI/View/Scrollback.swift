/// A bounded, append-only ring buffer of lines addressed by sequence number.
///
/// Appending is O(1); once `capacity` is reached the oldest element is
/// dropped. Every element gets a sequence number that never changes (the
/// first element ever appended is 0), which lets scroll positions survive
/// both new lines and dropped old ones.
struct Scrollback<Element: Sendable>: Sendable {
    /// Maximum number of elements kept.
    let capacity: Int
    private var storage: [Element] = []
    /// Storage index of the oldest element once the buffer is full.
    private var head = 0
    /// Sequence number of the oldest element kept.
    private(set) var firstSequence = 0

    /// Creates an empty scrollback keeping at most `capacity` elements.
    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Number of elements kept.
    var count: Int { storage.count }

    /// Whether nothing is kept.
    var isEmpty: Bool { storage.isEmpty }

    /// Sequence number the next appended element will get.
    var endSequence: Int { firstSequence + storage.count }

    /// Sequence number of the newest element, if any.
    var lastSequence: Int? { storage.isEmpty ? nil : endSequence - 1 }

    /// Whether an element with this sequence number is kept.
    func contains(sequence: Int) -> Bool {
        sequence >= firstSequence && sequence < endSequence
    }

    /// The element with sequence number `sequence` (must be kept).
    subscript(sequence sequence: Int) -> Element {
        precondition(contains(sequence: sequence), "sequence \(sequence) not in scrollback")
        let offset = sequence - firstSequence
        return storage[(head + offset) % storage.count]
    }

    /// Changes the element with sequence number `sequence` in place (it must be kept).
    mutating func update(sequence: Int, _ change: (inout Element) -> Void) {
        precondition(contains(sequence: sequence), "sequence \(sequence) not in scrollback")
        let offset = sequence - firstSequence
        change(&storage[(head + offset) % storage.count])
    }

    /// The newest element, if any.
    var last: Element? {
        lastSequence.map { self[sequence: $0] }
    }

    /// Appends an element, dropping the oldest one when full.
    mutating func append(_ element: Element) {
        if storage.count < capacity {
            storage.append(element)
        } else {
            storage[head] = element
            head += 1
            if head == capacity { head = 0 }
            firstSequence += 1
        }
    }

    /// Puts older elements (oldest first) before the oldest kept one, as far as there is room;
    /// returns how many were kept (the newest of them). Sequence numbers of kept elements stay.
    @discardableResult
    mutating func prepend(_ older: [Element]) -> Int {
        let room = capacity - storage.count
        guard room > 0, !older.isEmpty else { return 0 }
        let kept = Array(older.suffix(room))
        // Not full, so the storage is in order from index 0 (head is 0).
        storage.insert(contentsOf: kept, at: 0)
        firstSequence -= kept.count
        return kept.count
    }

    /// Removes everything; sequence numbers keep increasing.
    mutating func removeAll() {
        firstSequence = endSequence
        storage = []
        head = 0
    }

    /// All kept elements, oldest first (O(n); for tests and export).
    var elements: [Element] {
        (firstSequence..<endSequence).map { self[sequence: $0] }
    }
}
