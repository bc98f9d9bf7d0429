import NIOCore

/// Flush scheduling: each event loop writes its own connections' outboxes, in slices.
extension ServerHub {
    /// Runs on `loops[loop]`: writes up to `flushSlice` dirty outboxes of that loop, the ones
    /// dirty longest first, with one write each. If more are waiting it runs again after the
    /// loop's next look at its sockets: a task scheduled a few microseconds ahead is not due
    /// when the loop finishes this one, so the loop polls (and reads) first.
    func flush(loop: Int) {
        let (work, linkWork, more) = state.withLockedValue { state -> ([(Channel, ByteBuffer?, TimeAmount?)], [(Channel, ByteBuffer)], Bool) in
            let linkWork = takeLinkWork(loop: loop, in: &state)
            let (work, more) = state.deliveries.takeSlice(loop: loop, limit: flushSlice)
            // Still scheduled while more are waiting: this call schedules the next slice itself.
            state.flushScheduled[loop] = more
            return (work, linkWork, more)
        }
        for (channel, buffer) in linkWork {
            channel.writeAndFlush(buffer, promise: nil)
        }
        for (channel, buffer, closeGrace) in work {
            if let closeGrace {
                if let buffer {
                    // The last bytes (an ERROR) get a grace: a reader that takes nothing (a full
                    // socket) does not keep the connection open for ever.
                    let written = channel.eventLoop.makePromise(of: Void.self)
                    let grace = channel.eventLoop.scheduleTask(in: closeGrace) { channel.close(promise: nil) }
                    written.futureResult.whenComplete { _ in
                        grace.cancel()
                        channel.close(promise: nil)
                    }
                    channel.writeAndFlush(buffer, promise: written)
                } else {
                    channel.close(promise: nil)
                }
            } else if let buffer {
                channel.writeAndFlush(buffer, promise: nil)
            }
        }
        if more {
            // Scheduled after the writes, so that it is not yet due when this task returns.
            loops[loop].scheduleTask(in: .microseconds(20)) { self.flush(loop: loop) }
        }
    }
}
