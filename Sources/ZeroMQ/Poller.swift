import CZeroMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Waits until any of several sockets can receive or send (`zmq_poll`).
///
/// Register each socket once with the events it cares about, then call ``poll(timeout:)``
/// in the socket thread's loop and ask ``readyEvents(at:)`` or ``readyEvents(for:)`` which
/// sockets are ready. The poll item array is kept between calls, so polling allocates
/// nothing. Like its sockets, a poller belongs to one thread.
///
/// ```swift
/// let poller = Poller()
/// let ingest = poller.register(pull)
/// let control = poller.register(router)
/// while try poller.poll(timeout: .milliseconds(100)) >= 0 {
///     if poller.readyEvents(at: ingest).contains(.readable) { … }
/// }
/// ```
public final class Poller {
    private var sockets: [Socket] = []
    private var items: [zmq_pollitem_t] = []

    /// Creates a poller with no sockets.
    public init() {}

    /// The number of registered sockets.
    public var count: Int { sockets.count }

    /// Adds a socket to wait on.
    ///
    /// - Parameters:
    ///   - socket: The socket; the poller keeps it alive.
    ///   - events: What to wait for: ``PollEvents/readable``, ``PollEvents/writable`` or both.
    /// - Returns: The socket's index, for ``readyEvents(at:)`` and ``setEvents(_:at:)``.
    @discardableResult
    public func register(_ socket: Socket, for events: PollEvents = .readable) -> Int {
        sockets.append(socket)
        items.append(zmq_pollitem_t(socket: socket.handle, fd: 0, events: events.rawValue, revents: 0))
        return sockets.count - 1
    }

    /// Changes what to wait for on a registered socket, for example ``PollEvents/writable``
    /// only while there is something to send.
    ///
    /// - Parameters:
    ///   - events: The new interest; empty to ignore the socket for now.
    ///   - index: The index ``register(_:for:)`` returned.
    public func setEvents(_ events: PollEvents, at index: Int) {
        items[index].events = events.rawValue
    }

    /// Waits until at least one registered socket is ready or the timeout passes.
    ///
    /// An interrupting signal does not end the wait early; it is retried with the time left.
    ///
    /// - Parameter timeout: The longest wait; `nil` waits forever, `.zero` just checks.
    /// - Returns: The number of ready sockets; 0 when the timeout passed.
    /// - Throws: ``ZMQError/contextTerminated`` after ``Context/shutdown()``, or
    ///   ``ZMQError/notSocket`` when a registered socket was closed.
    public func poll(timeout: Duration?) throws(ZMQError) -> Int {
        for index in sockets.indices {
            // Refresh each time: a closed socket must never reach zmq_poll.
            items[index].socket = try sockets[index].validHandle()
            items[index].revents = 0
        }
        let clock = ContinuousClock()
        let deadline = timeout.map { clock.now.advanced(by: $0) }
        var milliseconds = try timeout?.milliseconds ?? -1
        while true {
            let ready = items.withUnsafeMutableBufferPointer {
                zmq_poll($0.baseAddress, Int32($0.count), Int(milliseconds))
            }
            if ready >= 0 { return Int(ready) }
            let error = ZMQError.last
            guard error == .interrupted else { throw error }
            if let deadline {
                milliseconds = try max(.zero, clock.now.duration(to: deadline)).milliseconds
            }
        }
    }

    /// What a socket was ready for at the end of the last ``poll(timeout:)``.
    ///
    /// - Parameter index: The index ``register(_:for:)`` returned.
    /// - Returns: The ready events, a subset of those registered.
    public func readyEvents(at index: Int) -> PollEvents {
        PollEvents(rawValue: items[index].revents)
    }

    /// What a socket was ready for at the end of the last ``poll(timeout:)``.
    ///
    /// - Parameter socket: A registered socket.
    /// - Returns: The ready events; empty when the socket is not registered.
    public func readyEvents(for socket: Socket) -> PollEvents {
        guard let index = sockets.firstIndex(where: { $0 === socket }) else { return [] }
        return readyEvents(at: index)
    }
}
