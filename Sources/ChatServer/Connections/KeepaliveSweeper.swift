import NIOCore

/// One repeating timer per event loop that checks the keepalive deadlines of all that loop's
/// connections, instead of one scheduled task per connection: idle connections cost less memory,
/// at the price of keepalive precision (the sweep interval, 250 ms by default).
final class KeepaliveSweeper {
    private var handlers: [ObjectIdentifier: ClientChannelHandler] = [:]
    private var timer: Scheduled<Void>?
    private let eventLoop: any EventLoop
    private let interval: TimeAmount

    init(eventLoop: any EventLoop, interval: TimeAmount = .milliseconds(250)) {
        self.eventLoop = eventLoop
        self.interval = interval
    }

    func add(_ handler: ClientChannelHandler) {
        handlers[ObjectIdentifier(handler)] = handler
        if timer == nil { scheduleSweep() }
    }

    func remove(_ handler: ClientChannelHandler) {
        handlers[ObjectIdentifier(handler)] = nil
        if handlers.isEmpty {
            timer?.cancel()
            timer = nil
        }
    }

    private func scheduleSweep() {
        timer = eventLoop.assumeIsolated().scheduleTask(in: interval) { [self] in
            timer = nil
            sweep()
            if !handlers.isEmpty { scheduleSweep() }
        }
    }

    private func sweep() {
        let now = ClientChannelHandler.monotonicNow()
        for handler in Array(handlers.values) where handler.keepaliveDeadline.map({ $0 <= now }) ?? false {
            handler.keepaliveDue(now: now)
        }
    }
}

@available(*, unavailable)
extension KeepaliveSweeper: Sendable {}

/// The sweepers of all event loops, each confined to its loop.
struct KeepaliveSweepers: Sendable {
    private let boxes: [NIOLoopBoundBox<KeepaliveSweeper>]
    private let loops: [any EventLoop]

    init(loops: [any EventLoop]) {
        self.loops = loops
        self.boxes = loops.map { loop in
            NIOLoopBoundBox.makeBoxSendingValue(KeepaliveSweeper(eventLoop: loop), eventLoop: loop)
        }
    }

    /// The sweeper of `loop`; call on that loop.
    func sweeper(for loop: any EventLoop) -> KeepaliveSweeper? {
        guard let index = loops.firstIndex(where: { $0 === loop }) else { return nil }
        return boxes[index].value
    }
}
