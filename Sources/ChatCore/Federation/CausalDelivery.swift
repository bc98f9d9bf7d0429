/// A network event as it travels between servers: who created it, its per-origin sequence
/// number (1, 2, 3, …), the vector clock of what its creator had delivered when it created it
/// (including the event itself, so `clock[origin] == sequence`), and the payload.
public struct Stamped<Payload: Sendable & Hashable>: Sendable, Hashable {
    public var origin: OriginID
    public var sequence: UInt64
    public var clock: VectorClock
    public var payload: Payload

    public init(origin: OriginID, sequence: UInt64, clock: VectorClock, payload: Payload) {
        self.origin = origin
        self.sequence = sequence
        self.clock = clock
        self.payload = payload
    }
}

/// The causal broadcast delivery layer of one server.
///
/// Events are flooded over a full mesh with reliable relay, so they arrive out of order and
/// more than once. This value decides, for each arriving event, whether it can be delivered
/// (applied to the server state) now, must wait in a bounded hold-back queue for the events it
/// depends on, or is a duplicate. Delivery is:
/// - **exactly once** per `(origin, sequence)`;
/// - **FIFO per origin**: an origin's event `n` only after its event `n − 1`;
/// - **causal**: an event only after every event its clock covers (for each other origin `k`,
///   `clock[k] ≤ delivered[k]`).
///
/// ## Removed origins
/// When a server is declared dead, call ``originRemoved(_:)``. The origin becomes a *tombstone*:
/// - its counter is dropped from ``deliveredClock`` (so the clocks of our later events shrink);
/// - its held events are discarded, and its events arriving later are refused with
///   ``Outcome/fromRemovedOrigin`` (its users have been removed by then; applying their late
///   events would resurrect them; and without the counter a late duplicate would look new);
/// - dependencies on it are treated as satisfied from then on, for held events and for events
///   arriving later. Held events of other origins that were waiting only for its events (which
///   may never arrive now) are released and returned. For those, causal order with respect to
///   the lost events cannot be kept: they are delivered without them.
///
/// Servers may disagree about how many of a dead origin's last events they applied (those in
/// flight when it died); the caller's server-split handling must tolerate that. Another server
/// that has not processed the removal yet may deliver our later events before dead-origin
/// events we had delivered, since our clocks no longer mention it. Removing origins when a
/// causally delivered "server dead" event is applied keeps that window small.
///
/// Tombstones are kept for the lifetime of the value (one small entry per dead incarnation).
///
/// ## Link bursts
/// When a link comes up, the peers exchange ``deliveredClock``s. ``adopt(peerClock:)`` takes
/// the peer's counter for each origin this server has not delivered anything from yet (the
/// peer's state burst covers those events), and keeps ours for the others;
/// ``missing(comparedTo:)`` lists the events the peer has delivered that we have not, for
/// origins we already knew.
public struct CausalDelivery<Payload: Sendable & Hashable>: Sendable, Hashable {
    public enum Outcome: Sendable, Hashable {
        /// Delivered now, in order: the event itself, then held events it released (transitively).
        case delivered([Stamped<Payload>])
        /// Already delivered or already held; drop it (do not forward it again).
        case duplicate
        /// Kept in the hold-back queue until its dependencies are delivered; it comes back in the
        /// ``delivered(_:)`` list of a later call (relay it then, or now: peers drop duplicates).
        case held
        /// It would have to be held but the queue is full. The event was not kept and the state
        /// is unchanged: drop the link it came on and re-synchronise.
        case overflow
        /// Its origin was removed (``originRemoved(_:)``); drop it.
        case fromRemovedOrigin
        /// The peer sent an impossible event (sequence 0, `clock[origin] ≠ sequence`, or a claim
        /// about our own events that we never created). Drop the link it came on.
        case invalid(String)
    }

    /// The result of ``adopt(peerClock:)``.
    public struct Adoption: Sendable, Hashable {
        /// The entries taken over from the peer: origins we had never delivered from, and the
        /// count their events are now considered delivered up to (covered by the peer's burst).
        public var adopted: VectorClock
        /// Held events that became deliverable, in order.
        public var delivered: [Stamped<Payload>]
        /// Held events dropped because the adopted counters cover them.
        public var discarded: Int
    }

    public let local: OriginID
    public let holdBackLimit: Int

    /// For each origin, how many of its events have been delivered here (including our own).
    public private(set) var deliveredClock: VectorClock
    /// How many events wait in the hold-back queue; never more than ``holdBackLimit``.
    public private(set) var heldCount: Int
    /// Held events by origin and sequence.
    private(set) var held: [OriginID: [UInt64: Stamped<Payload>]]
    /// Origins declared dead.
    private(set) var removed: Set<OriginID>

    public init(local: OriginID, holdBackLimit: Int) {
        precondition(holdBackLimit >= 0, "holdBackLimit must not be negative")
        self.local = local
        self.holdBackLimit = holdBackLimit
        self.deliveredClock = VectorClock()
        self.heldCount = 0
        self.held = [:]
        self.removed = []
    }

    /// How many of `origin`'s events have been delivered here.
    public func delivered(_ origin: OriginID) -> UInt64 {
        deliveredClock[origin]
    }

    /// Whether `origin` was removed with ``originRemoved(_:)``.
    public func isRemoved(_ origin: OriginID) -> Bool {
        removed.contains(origin)
    }

    /// Whether ``received(_:)`` would call an event of `origin` with `sequence` a duplicate (or
    /// ignore it, its origin being removed): already delivered or held here, or one of our own.
    /// Lets a relay drop the copies that flooding brings before decoding the rest of them.
    public func hasSeen(_ origin: OriginID, sequence: UInt64) -> Bool {
        if removed.contains(origin) { return true }
        guard sequence > 0 else { return false }
        if sequence <= deliveredClock[origin] { return true }
        return origin != local && held[origin]?[sequence] != nil
    }

    /// Stamps an event this server originates now. It counts as delivered locally at once; its
    /// clock is the delivered clock including itself.
    public mutating func stampLocal() -> (sequence: UInt64, clock: VectorClock) {
        let sequence = deliveredClock[local] + 1
        deliveredClock[local] = sequence
        return (sequence, deliveredClock)
    }

    /// An event arrived from a peer.
    public mutating func received(_ event: Stamped<Payload>) -> Outcome {
        if removed.contains(event.origin) { return .fromRemovedOrigin }
        guard event.sequence > 0 else { return .invalid("event from \(event.origin) has sequence 0") }
        guard event.clock[event.origin] == event.sequence else {
            return .invalid("event \(event.origin)#\(event.sequence) has clock entry \(event.clock[event.origin])")
        }
        let deliveredFromOrigin = deliveredClock[event.origin]
        if event.origin == local {
            return event.sequence <= deliveredFromOrigin
                ? .duplicate
                : .invalid("event \(event.origin)#\(event.sequence) claims to be ours but we never created it")
        }
        if event.sequence <= deliveredFromOrigin || held[event.origin]?[event.sequence] != nil {
            return .duplicate
        }
        guard event.clock[local] <= deliveredClock[local] else {
            return .invalid("event \(event.origin)#\(event.sequence) depends on events of ours we never created")
        }
        if isDeliverable(event) {
            var delivered = [event]
            deliveredClock[event.origin] = event.sequence
            releaseHeld(into: &delivered)
            return .delivered(delivered)
        }
        guard heldCount < holdBackLimit else { return .overflow }
        held[event.origin, default: [:]][event.sequence] = event
        heldCount += 1
        return .held
    }

    /// A server was declared dead; see the type's documentation.
    ///
    /// - Returns: Held events of other origins released because their only missing
    ///   dependencies were on `origin`, in delivery order.
    public mutating func originRemoved(_ origin: OriginID) -> [Stamped<Payload>] {
        precondition(origin != local, "the local origin cannot be removed")
        removed.insert(origin)
        deliveredClock[origin] = 0
        if let events = held.removeValue(forKey: origin) {
            heldCount -= events.count
        }
        var released: [Stamped<Payload>] = []
        releaseHeld(into: &released)
        return released
    }

    /// Sets the starting point for origins this server has never delivered anything from.
    ///
    /// For each entry of `peerClock` whose origin is not us, not removed and has
    /// `delivered == 0` here, the peer's count is adopted: those events are covered by the
    /// peer's state burst and will not be replayed. Held events they cover are discarded; held
    /// events that become deliverable are delivered. For origins we know, our counter stays
    /// (use ``missing(comparedTo:)`` to see what the peer has that we lack).
    public mutating func adopt(peerClock: VectorClock) -> Adoption {
        var adoption = Adoption(adopted: VectorClock(), delivered: [], discarded: 0)
        for origin in peerClock.origins
        where origin != local && !removed.contains(origin) && deliveredClock[origin] == 0 {
            let count = peerClock[origin]
            deliveredClock[origin] = count
            adoption.adopted[origin] = count
            if var events = held[origin] {
                for sequence in events.keys where sequence <= count {
                    events[sequence] = nil
                    heldCount -= 1
                    adoption.discarded += 1
                }
                held[origin] = events.isEmpty ? nil : events
            }
        }
        releaseHeld(into: &adoption.delivered)
        return adoption
    }

    /// The events `peerClock` says the peer has delivered and we have not, for origins we have
    /// delivered from (including our own, which should never happen with an honest peer) and
    /// that are not removed.
    public func missing(comparedTo peerClock: VectorClock) -> [OriginID: ClosedRange<UInt64>] {
        var missing: [OriginID: ClosedRange<UInt64>] = [:]
        for origin in peerClock.origins where !removed.contains(origin) {
            let ours = deliveredClock[origin]
            if ours > 0, peerClock[origin] > ours {
                missing[origin] = (ours + 1)...peerClock[origin]
            }
        }
        return missing
    }

    private func isDeliverable(_ event: Stamped<Payload>) -> Bool {
        guard event.sequence == deliveredClock[event.origin] + 1 else { return false }
        return event.clock.counts.allSatisfy { origin, count in
            origin == event.origin || count <= deliveredClock[origin] || removed.contains(origin)
        }
    }

    /// Delivers held events until none is deliverable, appending them to `delivered`.
    private mutating func releaseHeld(into delivered: inout [Stamped<Payload>]) {
        var progress = true
        while progress, heldCount > 0 {
            progress = false
            for origin in held.keys.sorted() {
                while let next = held[origin]?[deliveredClock[origin] + 1], isDeliverable(next) {
                    held[origin]![next.sequence] = nil
                    if held[origin]!.isEmpty { held[origin] = nil }
                    heldCount -= 1
                    deliveredClock[origin] = next.sequence
                    delivered.append(next)
                    progress = true
                }
            }
        }
    }
}
