import CZeroMQ

/// What a socket is ready for, or what a ``Poller`` should wait for.
public struct PollEvents: OptionSet, Sendable, Hashable {
    /// The `ZMQ_POLL*` bits.
    public let rawValue: Int16

    /// Creates a set from `ZMQ_POLL*` bits.
    ///
    /// - Parameter rawValue: A bitwise or of `ZMQ_POLLIN`, `ZMQ_POLLOUT`, `ZMQ_POLLERR`.
    public init(rawValue: Int16) {
        self.rawValue = rawValue
    }

    /// At least one frame can be received without blocking (`ZMQ_POLLIN`).
    public static let readable = PollEvents(rawValue: Int16(ZMQ_POLLIN))
    /// At least one frame can be sent without blocking (`ZMQ_POLLOUT`).
    public static let writable = PollEvents(rawValue: Int16(ZMQ_POLLOUT))
    /// An error condition, reported for plain file descriptors only (`ZMQ_POLLERR`).
    public static let error = PollEvents(rawValue: Int16(ZMQ_POLLERR))
}
