import CZeroMQ

// Socket options: the typed get/set entry points, the shortcuts used most, and the raw
// zmq_getsockopt/zmq_setsockopt calls the value types build on.
extension Socket {
    /// Writes a socket option.
    ///
    /// - Parameters:
    ///   - option: The option, such as ``SocketOption/sendHighWaterMark``.
    ///   - value: The new value.
    /// - Throws: ``ZMQError/invalidArgument`` for a value out of range or an option this
    ///   socket type does not have.
    public func set<Value>(_ option: SocketOption<Value>, to value: Value) throws(ZMQError) {
        try value.write(to: self, option: option.rawValue)
    }

    /// Reads a socket option.
    ///
    /// - Parameter option: The option, such as ``SocketOption/lastEndpoint``.
    /// - Returns: The current value.
    /// - Throws: ``ZMQError/invalidArgument`` for a write-only option.
    public func get<Value>(_ option: SocketOption<Value>) throws(ZMQError) -> Value {
        try Value.read(from: self, option: option.rawValue)
    }

    /// The endpoint last bound or connected, with the real port after binding `tcp://…:*`.
    public var lastEndpoint: String {
        get throws(ZMQError) { try get(.lastEndpoint) }
    }

    /// Whether more frames of the message being received follow (`ZMQ_RCVMORE`).
    public var hasMore: Bool {
        get throws(ZMQError) { try get(.receiveMore) }
    }

    /// Whether the socket can receive or send now without blocking (`ZMQ_EVENTS`).
    public var events: PollEvents {
        get throws(ZMQError) { try get(.events) }
    }

    /// Subscribes a SUB socket to messages whose first frame starts with a prefix.
    ///
    /// - Parameter prefix: The topic prefix; empty subscribes to everything.
    public func subscribe(_ prefix: [UInt8]) throws(ZMQError) {
        try set(.subscribe, to: prefix)
    }

    /// Subscribes a SUB socket to messages whose first frame starts with a UTF-8 prefix.
    ///
    /// - Parameter prefix: The topic prefix; empty subscribes to everything.
    public func subscribe(_ prefix: String) throws(ZMQError) {
        try set(.subscribe, to: Array(prefix.utf8))
    }

    /// Removes a subscription made with ``subscribe(_:)-([UInt8])``.
    ///
    /// - Parameter prefix: The same prefix that was subscribed.
    public func unsubscribe(_ prefix: [UInt8]) throws(ZMQError) {
        try set(.unsubscribe, to: prefix)
    }

    /// Removes a subscription made with ``subscribe(_:)-(String)``.
    ///
    /// - Parameter prefix: The same prefix that was subscribed.
    public func unsubscribe(_ prefix: String) throws(ZMQError) {
        try set(.unsubscribe, to: Array(prefix.utf8))
    }

    /// Reads a C `int` option.
    func getInt32(_ option: Int32) throws(ZMQError) -> Int32 {
        let handle = try validHandle()
        var value: Int32 = 0
        var size = MemoryLayout<Int32>.size
        try check(zmq_getsockopt(handle, option, &value, &size))
        return value
    }

    /// Writes a C `int` option.
    func setInt32(_ option: Int32, _ value: Int32) throws(ZMQError) {
        let handle = try validHandle()
        var value = value
        try check(zmq_setsockopt(handle, option, &value, MemoryLayout<Int32>.size))
    }

    /// Reads a binary option into a buffer of `capacity` bytes.
    func getBytes(_ option: Int32, capacity: Int) throws(ZMQError) -> [UInt8] {
        let handle = try validHandle()
        var bytes = [UInt8](repeating: 0, count: capacity)
        var size = capacity
        try check(bytes.withUnsafeMutableBytes { zmq_getsockopt(handle, option, $0.baseAddress, &size) })
        bytes.removeLast(capacity - size)
        return bytes
    }

    /// Writes a binary option.
    func setBytes(_ option: Int32, _ bytes: UnsafeRawBufferPointer) throws(ZMQError) {
        let handle = try validHandle()
        try check(zmq_setsockopt(handle, option, bytes.baseAddress, bytes.count))
    }
}
