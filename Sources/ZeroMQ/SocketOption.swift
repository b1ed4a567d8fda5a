import CZeroMQ

/// A typed socket option, read with ``Socket/get(_:)`` and written with ``Socket/set(_:to:)``.
///
/// The constants name the options this project uses, each with the Swift type of its value:
///
/// ```swift
/// try socket.set(.sendHighWaterMark, to: 10_000)
/// try socket.set(.linger, to: .milliseconds(100))
/// let endpoint = try socket.get(.lastEndpoint)
/// ```
///
/// Any other libzmq option can be named with ``init(_:)`` and a matching value type.
public struct SocketOption<Value: SocketOptionValue>: Sendable, Hashable {
    /// The libzmq option number, such as `ZMQ_SNDHWM`.
    public let rawValue: Int32

    /// Names a libzmq option by number.
    ///
    /// - Parameter rawValue: The `ZMQ_*` option constant; `Value` must match its C type.
    public init(_ rawValue: Int32) {
        self.rawValue = rawValue
    }
}

extension SocketOption where Value == Int {
    /// `ZMQ_SNDHWM`: the most messages queued per outgoing peer (0 is unlimited). PUB drops
    /// beyond it; PUSH, DEALER and ROUTER block. Set before `bind` or `connect`.
    public static var sendHighWaterMark: Self { Self(ZMQ_SNDHWM) }
    /// `ZMQ_RCVHWM`: the most messages queued per incoming peer (0 is unlimited).
    public static var receiveHighWaterMark: Self { Self(ZMQ_RCVHWM) }
}

extension SocketOption where Value == Duration? {
    /// `ZMQ_LINGER`: how long closing waits to send queued messages; `nil` waits forever
    /// (the libzmq default), `.zero` discards them.
    public static var linger: Self { Self(ZMQ_LINGER) }
    /// `ZMQ_SNDTIMEO`: how long a blocking send waits before throwing
    /// ``ZMQError/wouldBlock``; `nil` waits forever.
    public static var sendTimeout: Self { Self(ZMQ_SNDTIMEO) }
    /// `ZMQ_RCVTIMEO`: how long a blocking receive waits before throwing
    /// ``ZMQError/wouldBlock``; `nil` waits forever.
    public static var receiveTimeout: Self { Self(ZMQ_RCVTIMEO) }
}

extension SocketOption where Value == Duration {
    /// `ZMQ_HEARTBEAT_IVL`: how often to send ZMTP PING on idle connections (`.zero` is off).
    public static var heartbeatInterval: Self { Self(ZMQ_HEARTBEAT_IVL) }
    /// `ZMQ_HEARTBEAT_TTL`: how long the peer should wait for traffic before dropping us
    /// (whole tenths of a second).
    public static var heartbeatTimeToLive: Self { Self(ZMQ_HEARTBEAT_TTL) }
    /// `ZMQ_HEARTBEAT_TIMEOUT`: how long to wait for traffic after a PING before
    /// dropping the connection.
    public static var heartbeatTimeout: Self { Self(ZMQ_HEARTBEAT_TIMEOUT) }
    /// `ZMQ_RECONNECT_IVL`: the wait before reconnecting a dropped connection.
    public static var reconnectInterval: Self { Self(ZMQ_RECONNECT_IVL) }
    /// `ZMQ_HANDSHAKE_IVL`: the longest a ZMTP (and CURVE) handshake may take.
    public static var handshakeInterval: Self { Self(ZMQ_HANDSHAKE_IVL) }
}

extension SocketOption where Value == Bool {
    /// `ZMQ_IMMEDIATE`: queue messages only to completed connections, so a send blocks
    /// (or fails) instead of filling a queue for a peer that is not there.
    public static var immediate: Self { Self(ZMQ_IMMEDIATE) }
    /// `ZMQ_ROUTER_MANDATORY` (write-only): a ROUTER throws ``ZMQError/hostUnreachable``
    /// for an unknown routing id instead of dropping the message.
    public static var routerMandatory: Self { Self(ZMQ_ROUTER_MANDATORY) }
    /// `ZMQ_XPUB_VERBOSE` (write-only): an XPUB passes on every subscription message, not
    /// only the first for each topic.
    public static var xpubVerbose: Self { Self(ZMQ_XPUB_VERBOSE) }
    /// `ZMQ_CURVE_SERVER`: act as CURVE server; also set ``curveSecretKey``.
    public static var curveServer: Self { Self(ZMQ_CURVE_SERVER) }
    /// `ZMQ_RCVMORE` (read-only): whether more frames of the current message follow.
    public static var receiveMore: Self { Self(ZMQ_RCVMORE) }
    /// `ZMQ_CONFLATE`: keep only the newest message in each queue.
    public static var conflate: Self { Self(ZMQ_CONFLATE) }
}

extension SocketOption where Value == [UInt8] {
    /// `ZMQ_ROUTING_ID`: the id a ROUTER peer sees this socket by (1–255 bytes, not
    /// starting with a zero byte). Set before `connect`.
    public static var routingID: Self { Self(ZMQ_ROUTING_ID) }
    /// `ZMQ_SUBSCRIBE` (write-only): receive messages starting with this prefix.
    public static var subscribe: Self { Self(ZMQ_SUBSCRIBE) }
    /// `ZMQ_UNSUBSCRIBE` (write-only): drop a subscription made before.
    public static var unsubscribe: Self { Self(ZMQ_UNSUBSCRIBE) }
}

extension SocketOption where Value == String {
    /// `ZMQ_LAST_ENDPOINT` (read-only): the endpoint last bound or connected, with the
    /// real port when bound to `*`.
    public static var lastEndpoint: Self { Self(ZMQ_LAST_ENDPOINT) }
    /// `ZMQ_ZAP_DOMAIN`: the authentication domain passed to the ZAP handler.
    public static var zapDomain: Self { Self(ZMQ_ZAP_DOMAIN) }
}

extension SocketOption where Value == CurveKey {
    /// `ZMQ_CURVE_PUBLICKEY`: this socket's long-term public key.
    public static var curvePublicKey: Self { Self(ZMQ_CURVE_PUBLICKEY) }
    /// `ZMQ_CURVE_SECRETKEY`: this socket's long-term secret key.
    public static var curveSecretKey: Self { Self(ZMQ_CURVE_SECRETKEY) }
    /// `ZMQ_CURVE_SERVERKEY`: the server's public key; setting it makes a CURVE client.
    public static var curveServerKey: Self { Self(ZMQ_CURVE_SERVERKEY) }
}

extension SocketOption where Value == PollEvents {
    /// `ZMQ_EVENTS` (read-only): whether a frame can be received or sent without blocking.
    public static var events: Self { Self(ZMQ_EVENTS) }
}
