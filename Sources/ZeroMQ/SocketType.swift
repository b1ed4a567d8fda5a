import CZeroMQ

/// The messaging-pattern role of a socket.
///
/// Each case maps to the libzmq socket type of the same name (`ZMQ_PUSH`, …).
public enum SocketType: Sendable, Hashable, CaseIterable {
    /// Exclusive one-to-one link, used by inproc pipes and socket monitors.
    case pair
    /// Publishes every message to all subscribers whose subscription prefix matches.
    case pub
    /// Receives the messages of the prefixes it subscribed to.
    case sub
    /// A publisher that also receives subscription messages from its subscribers.
    case xpub
    /// A subscriber that sends its subscriptions as messages.
    case xsub
    /// Sends to pulling peers round-robin; blocks at the high-water mark instead of dropping.
    case push
    /// Fair-queues messages from pushing peers.
    case pull
    /// Synchronous request client (strict send, receive order).
    case req
    /// Synchronous reply server (strict receive, send order).
    case rep
    /// Addresses peers by routing id: received messages start with the sender's id frame.
    case router
    /// Asynchronous request socket: round-robin out, fair-queued in.
    case dealer

    /// The libzmq constant for this type.
    public var rawValue: Int32 {
        switch self {
        case .pair: ZMQ_PAIR
        case .pub: ZMQ_PUB
        case .sub: ZMQ_SUB
        case .xpub: ZMQ_XPUB
        case .xsub: ZMQ_XSUB
        case .push: ZMQ_PUSH
        case .pull: ZMQ_PULL
        case .req: ZMQ_REQ
        case .rep: ZMQ_REP
        case .router: ZMQ_ROUTER
        case .dealer: ZMQ_DEALER
        }
    }
}
