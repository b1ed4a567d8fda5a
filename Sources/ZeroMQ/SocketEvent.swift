import CZeroMQ

/// A connection event of a monitored socket, as reported by ``SocketMonitor``.
///
/// Each case carries the endpoint it concerns; failures carry the ``ZMQError`` or the
/// ZMTP/ZAP code that libzmq reported.
public enum SocketEvent: Hashable, Sendable {
    /// A connection to a bound peer was made (`ZMQ_EVENT_CONNECTED`).
    case connected(endpoint: String)
    /// A connect attempt is pending (`ZMQ_EVENT_CONNECT_DELAYED`).
    case connectDelayed(endpoint: String)
    /// A reconnect attempt was scheduled (`ZMQ_EVENT_CONNECT_RETRIED`).
    case connectRetried(endpoint: String, after: Duration)
    /// The socket is accepting connections (`ZMQ_EVENT_LISTENING`).
    case listening(endpoint: String)
    /// Binding failed (`ZMQ_EVENT_BIND_FAILED`).
    case bindFailed(endpoint: String, error: ZMQError)
    /// A peer's connection was accepted (`ZMQ_EVENT_ACCEPTED`).
    case accepted(endpoint: String)
    /// Accepting a connection failed (`ZMQ_EVENT_ACCEPT_FAILED`).
    case acceptFailed(endpoint: String, error: ZMQError)
    /// A listening or connecting file descriptor was closed (`ZMQ_EVENT_CLOSED`).
    case closed(endpoint: String)
    /// Closing failed (`ZMQ_EVENT_CLOSE_FAILED`).
    case closeFailed(endpoint: String, error: ZMQError)
    /// A connection broke (`ZMQ_EVENT_DISCONNECTED`).
    case disconnected(endpoint: String)
    /// Monitoring ended, for example because the socket closed (`ZMQ_EVENT_MONITOR_STOPPED`).
    case monitorStopped
    /// The ZMTP handshake, including any security mechanism, completed
    /// (`ZMQ_EVENT_HANDSHAKE_SUCCEEDED`).
    case handshakeSucceeded(endpoint: String)
    /// The handshake failed for a system reason (`ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL`).
    case handshakeFailed(endpoint: String, error: ZMQError)
    /// The handshake failed on a protocol error, for example a CURVE message that did not
    /// decrypt (`ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL`; codes are `ZMQ_PROTOCOL_ERROR_*`).
    case handshakeFailedProtocol(endpoint: String, code: UInt32)
    /// The ZAP handler refused the peer (`ZMQ_EVENT_HANDSHAKE_FAILED_AUTH`; the ZAP status
    /// code, such as 400).
    case handshakeFailedAuth(endpoint: String, statusCode: UInt32)
    /// An event this version does not know.
    case unknown(id: UInt16, value: UInt32, endpoint: String)

    /// Decodes the two frames of a monitor message.
    ///
    /// - Parameters:
    ///   - id: The 16-bit `ZMQ_EVENT_*` number from the first frame.
    ///   - value: The 32-bit value from the first frame (an errno, fd, interval or code).
    ///   - endpoint: The second frame.
    public init(id: UInt16, value: UInt32, endpoint: String) {
        let error = ZMQError(code: Int32(bitPattern: value))
        switch Int32(id) {
        case ZMQ_EVENT_CONNECTED: self = .connected(endpoint: endpoint)
        case ZMQ_EVENT_CONNECT_DELAYED: self = .connectDelayed(endpoint: endpoint)
        case ZMQ_EVENT_CONNECT_RETRIED: self = .connectRetried(endpoint: endpoint, after: .milliseconds(value))
        case ZMQ_EVENT_LISTENING: self = .listening(endpoint: endpoint)
        case ZMQ_EVENT_BIND_FAILED: self = .bindFailed(endpoint: endpoint, error: error)
        case ZMQ_EVENT_ACCEPTED: self = .accepted(endpoint: endpoint)
        case ZMQ_EVENT_ACCEPT_FAILED: self = .acceptFailed(endpoint: endpoint, error: error)
        case ZMQ_EVENT_CLOSED: self = .closed(endpoint: endpoint)
        case ZMQ_EVENT_CLOSE_FAILED: self = .closeFailed(endpoint: endpoint, error: error)
        case ZMQ_EVENT_DISCONNECTED: self = .disconnected(endpoint: endpoint)
        case ZMQ_EVENT_MONITOR_STOPPED: self = .monitorStopped
        case ZMQ_EVENT_HANDSHAKE_SUCCEEDED: self = .handshakeSucceeded(endpoint: endpoint)
        case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL: self = .handshakeFailed(endpoint: endpoint, error: error)
        case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL: self = .handshakeFailedProtocol(endpoint: endpoint, code: value)
        case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH: self = .handshakeFailedAuth(endpoint: endpoint, statusCode: value)
        default: self = .unknown(id: id, value: value, endpoint: endpoint)
        }
    }

    /// The endpoint the event concerns; `nil` for ``monitorStopped``.
    public var endpoint: String? {
        switch self {
        case .connected(let endpoint), .connectDelayed(let endpoint), .connectRetried(let endpoint, _),
             .listening(let endpoint), .bindFailed(let endpoint, _), .accepted(let endpoint),
             .acceptFailed(let endpoint, _), .closed(let endpoint), .closeFailed(let endpoint, _),
             .disconnected(let endpoint), .handshakeSucceeded(let endpoint),
             .handshakeFailed(let endpoint, _), .handshakeFailedProtocol(let endpoint, _),
             .handshakeFailedAuth(let endpoint, _), .unknown(_, _, let endpoint):
            endpoint
        case .monitorStopped:
            nil
        }
    }
}

extension SocketEvent {
    /// Which events a ``SocketMonitor`` reports (the `ZMQ_EVENT_*` bits).
    public struct Mask: OptionSet, Sendable, Hashable {
        /// The `ZMQ_EVENT_*` bits.
        public let rawValue: UInt16

        /// Creates a mask from `ZMQ_EVENT_*` bits.
        ///
        /// - Parameter rawValue: A bitwise or of `ZMQ_EVENT_*` constants.
        public init(rawValue: UInt16) {
            self.rawValue = rawValue
        }

        /// ``SocketEvent/connected(endpoint:)``.
        public static let connected = Mask(rawValue: UInt16(ZMQ_EVENT_CONNECTED))
        /// ``SocketEvent/connectDelayed(endpoint:)``.
        public static let connectDelayed = Mask(rawValue: UInt16(ZMQ_EVENT_CONNECT_DELAYED))
        /// ``SocketEvent/connectRetried(endpoint:after:)``.
        public static let connectRetried = Mask(rawValue: UInt16(ZMQ_EVENT_CONNECT_RETRIED))
        /// ``SocketEvent/listening(endpoint:)``.
        public static let listening = Mask(rawValue: UInt16(ZMQ_EVENT_LISTENING))
        /// ``SocketEvent/bindFailed(endpoint:error:)``.
        public static let bindFailed = Mask(rawValue: UInt16(ZMQ_EVENT_BIND_FAILED))
        /// ``SocketEvent/accepted(endpoint:)``.
        public static let accepted = Mask(rawValue: UInt16(ZMQ_EVENT_ACCEPTED))
        /// ``SocketEvent/acceptFailed(endpoint:error:)``.
        public static let acceptFailed = Mask(rawValue: UInt16(ZMQ_EVENT_ACCEPT_FAILED))
        /// ``SocketEvent/closed(endpoint:)``.
        public static let closed = Mask(rawValue: UInt16(ZMQ_EVENT_CLOSED))
        /// ``SocketEvent/closeFailed(endpoint:error:)``.
        public static let closeFailed = Mask(rawValue: UInt16(ZMQ_EVENT_CLOSE_FAILED))
        /// ``SocketEvent/disconnected(endpoint:)``.
        public static let disconnected = Mask(rawValue: UInt16(ZMQ_EVENT_DISCONNECTED))
        /// ``SocketEvent/monitorStopped``.
        public static let monitorStopped = Mask(rawValue: UInt16(ZMQ_EVENT_MONITOR_STOPPED))
        /// ``SocketEvent/handshakeFailed(endpoint:error:)``.
        public static let handshakeFailed = Mask(rawValue: UInt16(ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL))
        /// ``SocketEvent/handshakeSucceeded(endpoint:)``.
        public static let handshakeSucceeded = Mask(rawValue: UInt16(ZMQ_EVENT_HANDSHAKE_SUCCEEDED))
        /// ``SocketEvent/handshakeFailedProtocol(endpoint:code:)``.
        public static let handshakeFailedProtocol = Mask(rawValue: UInt16(ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL))
        /// ``SocketEvent/handshakeFailedAuth(endpoint:statusCode:)``.
        public static let handshakeFailedAuth = Mask(rawValue: UInt16(ZMQ_EVENT_HANDSHAKE_FAILED_AUTH))
        /// Every event.
        public static let all = Mask(rawValue: UInt16(ZMQ_EVENT_ALL))
    }
}
