import CZeroMQ
import PixelSupport

/// A Swift type that a socket option's value can be read as and written from.
///
/// The conformances cover libzmq's option types: `Int` and `Bool` for C `int`, `Duration`
/// for millisecond `int`s (`Duration?` where -1 means forever), `[UInt8]` and `String` for
/// binary and text, ``CurveKey`` and ``PollEvents``.
public protocol SocketOptionValue {
    /// Reads the option from a socket.
    ///
    /// - Parameters:
    ///   - socket: The socket to read.
    ///   - option: The libzmq option number.
    /// - Returns: The current value.
    static func read(from socket: Socket, option: Int32) throws(ZMQError) -> Self

    /// Writes the value to an option of a socket.
    ///
    /// - Parameters:
    ///   - socket: The socket to write.
    ///   - option: The libzmq option number.
    func write(to socket: Socket, option: Int32) throws(ZMQError)
}

extension Int: SocketOptionValue {
    /// Reads a C `int` option.
    public static func read(from socket: Socket, option: Int32) throws(ZMQError) -> Int {
        Int(try socket.getInt32(option))
    }

    /// Writes a C `int` option; throws ``ZMQError/invalidArgument`` beyond `Int32`.
    public func write(to socket: Socket, option: Int32) throws(ZMQError) {
        guard let value = Int32(exactly: self) else { throw .invalidArgument }
        try socket.setInt32(option, value)
    }
}

extension Bool: SocketOptionValue {
    /// Reads a C `int` option as a flag.
    public static func read(from socket: Socket, option: Int32) throws(ZMQError) -> Bool {
        try socket.getInt32(option) != 0
    }

    /// Writes a flag as a C `int` 0 or 1.
    public func write(to socket: Socket, option: Int32) throws(ZMQError) {
        try socket.setInt32(option, self ? 1 : 0)
    }
}

extension Duration: SocketOptionValue {
    /// Reads a millisecond option.
    public static func read(from socket: Socket, option: Int32) throws(ZMQError) -> Duration {
        .milliseconds(try socket.getInt32(option))
    }

    /// Writes a millisecond option; throws ``ZMQError/invalidArgument`` when negative or too long.
    public func write(to socket: Socket, option: Int32) throws(ZMQError) {
        try socket.setInt32(option, try milliseconds)
    }

    /// Whole milliseconds as a C `int`, rounded down.
    var milliseconds: Int32 {
        get throws(ZMQError) {
            let total = milliseconds()
            guard total >= 0, let value = Int32(exactly: total) else { throw .invalidArgument }
            return value
        }
    }
}

extension Optional: SocketOptionValue where Wrapped == Duration {
    /// Reads a millisecond option where -1 (forever) reads as `nil`.
    public static func read(from socket: Socket, option: Int32) throws(ZMQError) -> Duration? {
        let value = try socket.getInt32(option)
        return value < 0 ? nil : .milliseconds(value)
    }

    /// Writes a millisecond option, `nil` as -1 (forever).
    public func write(to socket: Socket, option: Int32) throws(ZMQError) {
        try socket.setInt32(option, try self?.milliseconds ?? -1)
    }
}

extension Array: SocketOptionValue where Element == UInt8 {
    /// Reads a binary option of up to 255 bytes.
    public static func read(from socket: Socket, option: Int32) throws(ZMQError) -> [UInt8] {
        try socket.getBytes(option, capacity: 255)
    }

    /// Writes a binary option.
    public func write(to socket: Socket, option: Int32) throws(ZMQError) {
        try socket.withBorrowedBytes(self) { (raw) throws(ZMQError) in try socket.setBytes(option, raw) }
    }
}

extension String: SocketOptionValue {
    /// Reads a NUL-terminated text option.
    public static func read(from socket: Socket, option: Int32) throws(ZMQError) -> String {
        var bytes = try socket.getBytes(option, capacity: 1024)
        if bytes.last == 0 { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Writes a text option (without a terminating NUL).
    public func write(to socket: Socket, option: Int32) throws(ZMQError) {
        try socket.withBorrowedBytes(self) { (raw) throws(ZMQError) in try socket.setBytes(option, raw) }
    }
}

extension CurveKey: SocketOptionValue {
    /// Reads a CURVE key option in its 32-byte binary form.
    public static func read(from socket: Socket, option: Int32) throws(ZMQError) -> CurveKey {
        guard let key = CurveKey(bytes: try socket.getBytes(option, capacity: 32)) else {
            throw .invalidArgument
        }
        return key
    }

    /// Writes a CURVE key option in its 32-byte binary form.
    public func write(to socket: Socket, option: Int32) throws(ZMQError) {
        try bytes.write(to: socket, option: option)
    }
}

extension PollEvents: SocketOptionValue {
    /// Reads an event mask option such as `ZMQ_EVENTS`.
    public static func read(from socket: Socket, option: Int32) throws(ZMQError) -> PollEvents {
        PollEvents(rawValue: Int16(truncatingIfNeeded: try socket.getInt32(option)))
    }

    /// Writes an event mask as a C `int`.
    public func write(to socket: Socket, option: Int32) throws(ZMQError) {
        try socket.setInt32(option, Int32(rawValue))
    }
}
