import CZeroMQ
import Synchronization

/// Numbers the inproc endpoints of monitors, which must be unique per context.
private let monitorCounter = Atomic<Int>(0)

/// Receives the connection events of another socket (`zmq_socket_monitor`).
///
/// libzmq publishes the events on an inproc PAIR socket; the monitor connects to it and
/// decodes each two-frame message into a ``SocketEvent``. Make it with
/// ``Socket/monitor(events:)``, before `bind` or `connect` so no early event is missed.
/// It belongs to the thread that made it, like every socket; register ``socket`` with a
/// ``Poller`` to wait on it together with others.
public final class SocketMonitor {
    /// The PAIR socket the events arrive on, for polling and for options such as
    /// ``SocketOption/receiveTimeout``.
    public let socket: Socket
    /// The inproc endpoint libzmq publishes the events on.
    public let endpoint: String
    private var frame: [UInt8] = []

    init(monitoring target: Socket, events: SocketEvent.Mask) throws(ZMQError) {
        let handle = try target.validHandle()
        let number = monitorCounter.wrappingAdd(1, ordering: .relaxed).newValue
        endpoint = "inproc://swift-zeromq.monitor.\(number)"
        try target.check(zmq_socket_monitor(handle, endpoint, Int32(events.rawValue)))
        socket = try target.context.socket(.pair)
        try socket.connect(endpoint)
    }

    /// Waits for the next event.
    ///
    /// - Returns: The event.
    /// - Throws: ``ZMQError``; ``ZMQError/wouldBlock`` when the socket's `receiveTimeout`
    ///   expired.
    public func receive() throws(ZMQError) -> SocketEvent {
        try socket.receive(into: &frame)
        return try decode()
    }

    /// Returns the next event if one is waiting.
    ///
    /// - Returns: The event, or `nil` when none is waiting.
    /// - Throws: ``ZMQError`` for any failure other than having nothing to receive.
    public func tryReceive() throws(ZMQError) -> SocketEvent? {
        guard try socket.tryReceive(into: &frame) else { return nil }
        return try decode()
    }

    /// Waits for the first event that matches, skipping the others.
    ///
    /// - Parameter predicate: Whether an event is the one to wait for.
    /// - Returns: The matching event.
    /// - Throws: ``ZMQError``; ``ZMQError/wouldBlock`` when the socket's `receiveTimeout`
    ///   expired between two events.
    public func receive(until predicate: (SocketEvent) -> Bool) throws(ZMQError) -> SocketEvent {
        while true {
            let event = try receive()
            if predicate(event) { return event }
        }
    }

    /// Stops receiving events by closing ``socket``. Calling it again does nothing.
    public func close() {
        socket.close()
    }

    /// Decodes `frame` (6 bytes: event id, value, native byte order) and reads the endpoint.
    private func decode() throws(ZMQError) -> SocketEvent {
        guard frame.count >= 6, try socket.hasMore else { throw .invalidArgument }
        let (id, value) = frame.withUnsafeBytes {
            ($0.loadUnaligned(as: UInt16.self), $0.loadUnaligned(fromByteOffset: 2, as: UInt32.self))
        }
        let endpoint = try socket.receiveString()
        return SocketEvent(id: id, value: value, endpoint: endpoint)
    }
}

extension Socket {
    /// Starts reporting this socket's connection events to a new ``SocketMonitor``.
    ///
    /// - Parameter events: Which events to report; all by default.
    /// - Returns: The monitor, in the same context and on the same thread as this socket.
    /// - Throws: ``ZMQError``.
    public func monitor(events: SocketEvent.Mask = .all) throws(ZMQError) -> SocketMonitor {
        try SocketMonitor(monitoring: self, events: events)
    }
}
