public import CZeroMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An error reported by libzmq.
///
/// Wraps the `errno` value libzmq set and renders it with `zmq_strerror`. Two errors are
/// equal when their codes are equal, so the named constants work in `catch` and `switch`:
///
/// ```swift
/// do { try socket.receive(into: &buffer) }
/// catch let error as ZMQError where error == .contextTerminated { return }
/// ```
public struct ZMQError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The `errno` value libzmq reported.
    public let code: Int32

    /// Creates an error from an `errno` value.
    ///
    /// - Parameter code: The `errno` value, as returned by `zmq_errno()`.
    public init(code: Int32) {
        self.code = code
    }

    /// The error that libzmq reported for the last failed call on this thread.
    @inlinable
    public static var last: ZMQError {
        ZMQError(code: zmq_errno())
    }

    /// The human-readable text `zmq_strerror` gives for ``code``.
    public var message: String {
        String(cString: zmq_strerror(code))
    }

    /// The code and the libzmq text, for example `ZMQError(156384765): Context was terminated`.
    public var description: String {
        "ZMQError(\(code)): \(message)"
    }
}

extension ZMQError {
    /// `EAGAIN`: a non-blocking call found nothing to do, or a send or receive timed out.
    public static let wouldBlock = ZMQError(code: EAGAIN)
    /// `ETERM`: the socket's context was shut down or terminated.
    public static let contextTerminated = ZMQError(code: ZMQ_ETERM)
    /// `EINTR`: a signal interrupted the call. Blocking calls of this module retry it.
    public static let interrupted = ZMQError(code: EINTR)
    /// `EHOSTUNREACH`: a ROUTER with `routerMandatory` has no peer with that routing id.
    public static let hostUnreachable = ZMQError(code: ZMQ_EHOSTUNREACH)
    /// `ENOTSOCK`: the socket was already closed.
    public static let notSocket = ZMQError(code: ZMQ_ENOTSOCK)
    /// `EINVAL`: an argument was invalid, such as a malformed endpoint or option value.
    public static let invalidArgument = ZMQError(code: EINVAL)
    /// `EPROTONOSUPPORT`: the endpoint names a transport libzmq does not know.
    public static let protocolNotSupported = ZMQError(code: ZMQ_EPROTONOSUPPORT)
    /// `EADDRINUSE`: the address is already bound.
    public static let addressInUse = ZMQError(code: ZMQ_EADDRINUSE)
    /// `EADDRNOTAVAIL`: the address is not local.
    public static let addressNotAvailable = ZMQError(code: ZMQ_EADDRNOTAVAIL)
    /// `ENOENT`: the endpoint to unbind or disconnect was not bound or connected.
    public static let noSuchEndpoint = ZMQError(code: ENOENT)
    /// `ENOTSUP`: the operation is not supported by this socket type.
    public static let notSupported = ZMQError(code: ZMQ_ENOTSUP)
    /// `EFSM`: the operation is not allowed in the socket's current state (REQ/REP order).
    public static let invalidState = ZMQError(code: ZMQ_EFSM)
    /// `EMFILE`: the process or context ran out of sockets or file descriptors.
    public static let tooManyOpenFiles = ZMQError(code: EMFILE)
    /// `ENODEV`: the endpoint's network interface does not exist.
    public static let noDevice = ZMQError(code: ENODEV)
}

// libzmq's own codes are macros built on ZMQ_HAUSNUMERO on Linux; spell them once here.
// On platforms whose libc defines a code, zmq.h uses that value, which Swift imports too.
@usableFromInline let ZMQ_ETERM: Int32 = ETERM
@usableFromInline let ZMQ_EHOSTUNREACH: Int32 = EHOSTUNREACH
@usableFromInline let ZMQ_ENOTSOCK: Int32 = ENOTSOCK
@usableFromInline let ZMQ_EPROTONOSUPPORT: Int32 = EPROTONOSUPPORT
@usableFromInline let ZMQ_EADDRINUSE: Int32 = EADDRINUSE
@usableFromInline let ZMQ_EADDRNOTAVAIL: Int32 = EADDRNOTAVAIL
@usableFromInline let ZMQ_ENOTSUP: Int32 = ENOTSUP
@usableFromInline let ZMQ_EFSM: Int32 = EFSM
