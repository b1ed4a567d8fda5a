import CZeroMQ
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A libzmq context: the I/O threads and the registry of sockets that share them.
///
/// A context is thread-safe, so `Context` is `Sendable`: create one per process (or per
/// component), hand it to every thread, and let each thread make its own sockets with
/// ``socket(_:)``. Sockets keep their context alive, so the context is terminated
/// (`zmq_ctx_term`) only after its last socket is closed and the last reference to it is
/// gone; termination then waits for each socket's `linger` period to flush queued messages.
///
/// Call ``shutdown()`` to stop a running system: every call blocked in a socket of this
/// context, on any thread, returns at once with ``ZMQError/contextTerminated``, and every
/// later call on those sockets fails the same way, so loops end and close their sockets.
public final class Context: Sendable {
    // The pointer is only handed to libzmq, whose context functions are thread-safe.
    nonisolated(unsafe) let handle: UnsafeMutableRawPointer
    private let isShutDown = Atomic<Bool>(false)

    /// Creates a context.
    ///
    /// - Parameter ioThreads: The number of libzmq I/O threads (`ZMQ_IO_THREADS`). One is
    ///   enough for about a gigabyte per second of traffic.
    /// - Throws: ``ZMQError`` when libzmq cannot create the context or the option is invalid.
    public init(ioThreads: Int = 1) throws(ZMQError) {
        guard let handle = zmq_ctx_new() else { throw ZMQError.last }
        self.handle = handle
        if ioThreads != 1 {
            guard let value = Int32(exactly: ioThreads),
                  zmq_ctx_set(handle, ZMQ_IO_THREADS, value) == 0 else {
                zmq_ctx_term(handle)
                throw ZMQError.invalidArgument
            }
        }
    }

    deinit {
        // No socket can be open here (each holds a strong reference), so this only waits
        // for lingering messages; retry EINTR as zmq_ctx_term(3) asks.
        while zmq_ctx_term(handle) != 0 && zmq_errno() == EINTR {}
    }

    /// Creates a socket of the given type in this context.
    ///
    /// The socket is not `Sendable`: create it on the thread that will use it, for example
    /// inside `WorkerThread.start(name:_:)` (PixelSupport).
    ///
    /// - Parameter type: The messaging pattern role of the socket.
    /// - Returns: A new open socket.
    /// - Throws: ``ZMQError/contextTerminated`` after ``shutdown()``, or another ``ZMQError``.
    public func socket(_ type: SocketType) throws(ZMQError) -> Socket {
        try Socket(context: self, type: type)
    }

    /// Shuts the context down without waiting for its sockets.
    ///
    /// Every blocking call on a socket of this context returns ``ZMQError/contextTerminated``,
    /// and so does every later call except closing. Calling it more than once is harmless.
    public func shutdown() {
        guard !isShutDown.exchange(true, ordering: .acquiringAndReleasing) else { return }
        zmq_ctx_shutdown(handle)
    }

    /// Whether ``shutdown()`` has been called on this context.
    public var isShuttingDown: Bool {
        isShutDown.load(ordering: .acquiring)
    }
}
