public import CZeroMQ

/// One message frame owned by libzmq (`zmq_msg_t`), reusable across receives.
///
/// Receiving into the same `Message` in a loop allocates nothing on the Swift side: libzmq
/// hands over its frame and the previous content is released. Read the bytes in place with
/// ``withUnsafeBytes(_:)``; copy them out with ``bytes`` or ``string`` only when needed.
///
/// Sending a `Message` with ``Socket/send(_:more:)-(Message,_)`` passes its content to
/// libzmq without a copy and leaves the message empty.
///
/// A `Message` is not `Sendable`: it belongs to the thread that uses its socket.
public final class Message {
    // Heap-allocated because libzmq forbids moving a zmq_msg_t in memory once initialised.
    @usableFromInline let pointer: UnsafeMutablePointer<zmq_msg_t>

    /// Creates an empty message, ready to receive into.
    public init() {
        pointer = .allocate(capacity: 1)
        zmq_msg_init(pointer)
    }

    /// Creates a message holding a copy of some bytes.
    ///
    /// - Parameter bytes: The frame content.
    public init(bytes: UnsafeRawBufferPointer) {
        pointer = .allocate(capacity: 1)
        // zmq_msg_init_size only fails when out of memory.
        guard zmq_msg_init_size(pointer, bytes.count) == 0 else {
            fatalError("zmq_msg_init_size(\(bytes.count)) failed: \(ZMQError.last)")
        }
        if let base = bytes.baseAddress, !bytes.isEmpty {
            zmq_msg_data(pointer).copyMemory(from: base, byteCount: bytes.count)
        }
    }

    /// Creates a message holding a copy of a byte array.
    ///
    /// - Parameter bytes: The frame content.
    public convenience init(_ bytes: [UInt8]) {
        self.init(bytes: UnsafeRawBufferPointer(start: nil, count: 0))
        bytes.withUnsafeBytes { replace(with: $0) }
    }

    /// Creates a message holding the UTF-8 bytes of a string.
    ///
    /// - Parameter string: The frame content.
    public convenience init(_ string: String) {
        self.init(Array(string.utf8))
    }

    deinit {
        zmq_msg_close(pointer)
        pointer.deallocate()
    }

    /// Replaces the content with a copy of some bytes.
    ///
    /// - Parameter bytes: The new frame content.
    public func replace(with bytes: UnsafeRawBufferPointer) {
        zmq_msg_close(pointer)
        guard zmq_msg_init_size(pointer, bytes.count) == 0 else {
            fatalError("zmq_msg_init_size(\(bytes.count)) failed: \(ZMQError.last)")
        }
        if let base = bytes.baseAddress, !bytes.isEmpty {
            zmq_msg_data(pointer).copyMemory(from: base, byteCount: bytes.count)
        }
    }

    /// The number of bytes in the frame.
    @inlinable
    public var count: Int { zmq_msg_size(pointer) }

    /// Whether more frames of the same multipart message follow this one.
    ///
    /// Meaningful after a receive.
    @inlinable
    public var hasMore: Bool { zmq_msg_more(pointer) != 0 }

    /// Calls a closure with the frame's bytes in place, without copying.
    ///
    /// - Parameter body: A closure that reads the bytes. The buffer is valid only during the call.
    /// - Returns: What `body` returns.
    @inlinable
    public func withUnsafeBytes<Result, Failure: Error>(
        _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try body(UnsafeRawBufferPointer(start: zmq_msg_data(pointer), count: zmq_msg_size(pointer)))
    }

    /// A copy of the frame's bytes.
    public var bytes: [UInt8] {
        withUnsafeBytes { Array($0) }
    }

    /// The frame decoded as UTF-8, with invalid sequences repaired.
    public var string: String {
        withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
    }

    /// A metadata property of the connection the frame arrived on (`zmq_msg_gets`).
    ///
    /// libzmq sets `Socket-Type`, `Routing-Id`, `Peer-Address`, and `User-Id` when a ZAP
    /// handler supplied one; ZMTP peers may add their own.
    ///
    /// - Parameter name: The property name; case-insensitive.
    /// - Returns: The value, or `nil` when the frame has no such property.
    public func metadata(_ name: String) -> String? {
        guard let value = zmq_msg_gets(pointer, name) else { return nil }
        return String(cString: value)
    }
}
