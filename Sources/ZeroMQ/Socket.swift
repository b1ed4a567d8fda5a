public import CZeroMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A libzmq socket.
///
/// libzmq sockets are not thread-safe, so `Socket` is deliberately not `Sendable`: make it
/// with ``Context/socket(_:)`` on the thread that uses it (a `WorkerThread`, never Swift's
/// cooperative pool, because its calls block) and keep it there.
///
/// The socket is closed (`zmq_close`) by ``close()`` or, at the latest, when the last
/// reference goes away. Closing twice is a no-op and every call after closing throws
/// ``ZMQError/notSocket``, so a closed handle is never passed to libzmq.
///
/// Sending and receiving come in three flavours:
/// - blocking (`send`, `receive`): wait, retry `EINTR`, throw on any other error;
/// - non-blocking (`trySend`, `tryReceive`): `ZMQ_DONTWAIT`, answer `false` or `nil` when the
///   call would block;
/// - allocation-free for hot loops: send from borrowed bytes, receive into a reused
///   ``Message``, a reused `[UInt8]`, or a caller's buffer.
public final class Socket {
    /// The libzmq handle; `nil` once closed.
    @usableFromInline var handle: UnsafeMutableRawPointer?
    /// A message reused by the `[UInt8]` receive paths, so they allocate nothing per frame.
    @usableFromInline let scratch: UnsafeMutablePointer<zmq_msg_t>

    /// The context the socket belongs to. The socket keeps it alive.
    public let context: Context
    /// The socket's messaging-pattern role.
    public let type: SocketType

    /// Creates a socket in a context. ``Context/socket(_:)`` is the usual spelling.
    ///
    /// - Parameters:
    ///   - context: The context that owns the socket.
    ///   - type: The socket's messaging-pattern role.
    /// - Throws: ``ZMQError/contextTerminated`` after ``Context/shutdown()``, or another
    ///   ``ZMQError``.
    public init(context: Context, type: SocketType) throws(ZMQError) {
        guard let handle = zmq_socket(context.handle, type.rawValue) else { throw ZMQError.last }
        self.handle = handle
        self.context = context
        self.type = type
        scratch = .allocate(capacity: 1)
        zmq_msg_init(scratch)
    }

    deinit {
        close()
        zmq_msg_close(scratch)
        scratch.deallocate()
    }

    /// Closes the socket now.
    ///
    /// Messages still queued are sent in the background for the socket's `linger` period.
    /// Calling it again does nothing.
    public func close() {
        guard let handle else { return }
        self.handle = nil
        zmq_close(handle)
    }

    /// Whether ``close()`` has been called.
    public var isClosed: Bool { handle == nil }

    /// Accepts connections on an endpoint.
    ///
    /// Use `tcp://127.0.0.1:*` to let the system choose a free port, then read the real
    /// endpoint back from ``lastEndpoint``.
    ///
    /// - Parameter endpoint: `tcp://host:port`, `ipc:///path` or `inproc://name`.
    /// - Throws: ``ZMQError``, for example ``ZMQError/addressInUse`` or
    ///   ``ZMQError/protocolNotSupported``.
    public func bind(_ endpoint: String) throws(ZMQError) {
        let handle = try validHandle()
        try check(zmq_bind(handle, endpoint))
    }

    /// Connects to an endpoint. The connection is made, and remade, in the background.
    ///
    /// - Parameter endpoint: `tcp://host:port`, `ipc:///path` or `inproc://name`.
    /// - Throws: ``ZMQError`` when the endpoint is malformed or the transport unknown.
    public func connect(_ endpoint: String) throws(ZMQError) {
        let handle = try validHandle()
        try check(zmq_connect(handle, endpoint))
    }

    /// Stops accepting connections on an endpoint bound before.
    ///
    /// - Parameter endpoint: The endpoint as read from ``lastEndpoint`` (not a wildcard).
    /// - Throws: ``ZMQError/noSuchEndpoint`` when it was not bound.
    public func unbind(_ endpoint: String) throws(ZMQError) {
        let handle = try validHandle()
        try check(zmq_unbind(handle, endpoint))
    }

    /// Drops the connection to an endpoint connected before.
    ///
    /// - Parameter endpoint: The endpoint passed to ``connect(_:)``.
    /// - Throws: ``ZMQError/noSuchEndpoint`` when it was not connected.
    public func disconnect(_ endpoint: String) throws(ZMQError) {
        let handle = try validHandle()
        try check(zmq_disconnect(handle, endpoint))
    }

    /// The open handle, or ``ZMQError/notSocket`` after ``close()``.
    @inlinable
    func validHandle() throws(ZMQError) -> UnsafeMutableRawPointer {
        guard let handle else { throw .notSocket }
        return handle
    }

    /// Throws the current libzmq error when a call returned -1.
    @inlinable
    func check(_ rc: Int32) throws(ZMQError) {
        if rc != 0 { throw .last }
    }
}
