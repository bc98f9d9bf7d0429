import ChatCore
import NIOCore

/// First handler of a listener's pipeline: reports accept failures (out of descriptors, out of
/// memory) to ``AdmissionControl``, which logs them rate-limited, and passes them on to NIO's
/// `AcceptBackoffHandler`, which stops accepting for a second instead of retrying in a busy loop.
final class AcceptErrorHandler: ChannelInboundHandler {
    typealias InboundIn = Channel

    private let admission: AdmissionControl

    init(admission: AdmissionControl) {
        self.admission = admission
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        admission.acceptFailed(error, now: WallClock.monotonicMilliseconds())
        context.fireErrorCaught(error)
    }
}

@available(*, unavailable)
extension AcceptErrorHandler: Sendable {}
