public import CZeroMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// Sending. libzmq copies borrowed bytes into its own frame inside zmq_send, so sending
// from an array, a span or a raw buffer needs no Swift allocation.
extension Socket {
    /// Sends one frame from borrowed bytes, waiting while the queue is full.
    ///
    /// - Parameters:
    ///   - bytes: The frame content; libzmq copies it before returning.
    ///   - more: `true` when more frames of the same message follow (`ZMQ_SNDMORE`).
    /// - Throws: ``ZMQError``; ``ZMQError/wouldBlock`` when `sendTimeout` expired.
    @inlinable
    public func send(_ bytes: UnsafeRawBufferPointer, more: Bool = false) throws(ZMQError) {
        _ = try sendFrame(bytes.baseAddress, bytes.count, flags: more ? ZMQ_SNDMORE : 0)
    }

    /// Sends one frame from a byte array, waiting while the queue is full.
    ///
    /// - Parameters:
    ///   - bytes: The frame content; libzmq copies it before returning.
    ///   - more: `true` when more frames of the same message follow.
    /// - Throws: ``ZMQError``; ``ZMQError/wouldBlock`` when `sendTimeout` expired.
    @inlinable
    public func send(_ bytes: [UInt8], more: Bool = false) throws(ZMQError) {
        try withBorrowedBytes(bytes) { (raw) throws(ZMQError) in try send(raw, more: more) }
    }

    /// Sends one frame from a span of bytes, waiting while the queue is full.
    ///
    /// - Parameters:
    ///   - bytes: The frame content; libzmq copies it before returning.
    ///   - more: `true` when more frames of the same message follow.
    /// - Throws: ``ZMQError``; ``ZMQError/wouldBlock`` when `sendTimeout` expired.
    @inlinable
    public func send(_ bytes: RawSpan, more: Bool = false) throws(ZMQError) {
        try bytes.withUnsafeBytes { (raw) throws(ZMQError) in try send(raw, more: more) }
    }

    /// Sends the UTF-8 bytes of a string as one frame, waiting while the queue is full.
    ///
    /// - Parameters:
    ///   - string: The frame content.
    ///   - more: `true` when more frames of the same message follow.
    /// - Throws: ``ZMQError``; ``ZMQError/wouldBlock`` when `sendTimeout` expired.
    public func send(_ string: String, more: Bool = false) throws(ZMQError) {
        try withBorrowedBytes(string) { (raw) throws(ZMQError) in try send(raw, more: more) }
    }

    /// Sends a message's content without copying it, waiting while the queue is full.
    ///
    /// On success libzmq owns the content and `message` is left empty.
    ///
    /// - Parameters:
    ///   - message: The frame to hand over.
    ///   - more: `true` when more frames of the same message follow.
    /// - Throws: ``ZMQError``; the message keeps its content when sending failed.
    @inlinable
    public func send(_ message: Message, more: Bool = false) throws(ZMQError) {
        _ = try sendMessage(message.pointer, flags: more ? ZMQ_SNDMORE : 0)
    }

    /// Sends every frame as one multipart message, waiting while the queue is full.
    ///
    /// - Parameter frames: The frames, first to last.
    /// - Throws: ``ZMQError``.
    public func send(_ frames: [[UInt8]]) throws(ZMQError) {
        for (index, frame) in frames.enumerated() {
            try send(frame, more: index < frames.count - 1)
        }
    }

    /// Sends every string as one frame of a multipart message, waiting while the queue is full.
    ///
    /// - Parameter frames: The frames, first to last.
    /// - Throws: ``ZMQError``.
    public func send(_ frames: [String]) throws(ZMQError) {
        for (index, frame) in frames.enumerated() {
            try send(frame, more: index < frames.count - 1)
        }
    }

    /// Sends one frame from borrowed bytes unless the socket would block (`ZMQ_DONTWAIT`).
    ///
    /// - Parameters:
    ///   - bytes: The frame content; libzmq copies it before returning.
    ///   - more: `true` when more frames of the same message follow.
    /// - Returns: `false` when the frame was not sent because the queue is full or there is
    ///   no peer to send to.
    /// - Throws: ``ZMQError`` for any other failure.
    @inlinable
    public func trySend(_ bytes: UnsafeRawBufferPointer, more: Bool = false) throws(ZMQError) -> Bool {
        try sendFrame(bytes.baseAddress, bytes.count, flags: ZMQ_DONTWAIT | (more ? ZMQ_SNDMORE : 0))
    }

    /// Sends one frame from a byte array unless the socket would block.
    ///
    /// - Parameters:
    ///   - bytes: The frame content; libzmq copies it before returning.
    ///   - more: `true` when more frames of the same message follow.
    /// - Returns: `false` when the frame was not sent because the socket would block.
    /// - Throws: ``ZMQError`` for any other failure.
    @inlinable
    public func trySend(_ bytes: [UInt8], more: Bool = false) throws(ZMQError) -> Bool {
        try withBorrowedBytes(bytes) { (raw) throws(ZMQError) in try trySend(raw, more: more) }
    }

    /// Sends the UTF-8 bytes of a string as one frame unless the socket would block.
    ///
    /// - Parameters:
    ///   - string: The frame content.
    ///   - more: `true` when more frames of the same message follow.
    /// - Returns: `false` when the frame was not sent because the socket would block.
    /// - Throws: ``ZMQError`` for any other failure.
    public func trySend(_ string: String, more: Bool = false) throws(ZMQError) -> Bool {
        try withBorrowedBytes(string) { (raw) throws(ZMQError) in try trySend(raw, more: more) }
    }

    /// Sends a message's content without copying it, unless the socket would block.
    ///
    /// - Parameters:
    ///   - message: The frame to hand over; left empty when sent.
    ///   - more: `true` when more frames of the same message follow.
    /// - Returns: `false` when the frame was not sent; the message keeps its content.
    /// - Throws: ``ZMQError`` for any other failure.
    @inlinable
    public func trySend(_ message: Message, more: Bool = false) throws(ZMQError) -> Bool {
        try sendMessage(message.pointer, flags: ZMQ_DONTWAIT | (more ? ZMQ_SNDMORE : 0))
    }

    /// Sends a multipart message unless the socket would block on its first frame.
    ///
    /// Once libzmq accepts the first frame it always accepts the rest of the message, so
    /// the message is sent whole or not at all.
    ///
    /// - Parameter frames: The frames, first to last.
    /// - Returns: `false` when nothing was sent because the socket would block.
    /// - Throws: ``ZMQError`` for any other failure.
    public func trySend(_ frames: [[UInt8]]) throws(ZMQError) -> Bool {
        guard let first = frames.first else { return true }
        guard try trySend(first, more: frames.count > 1) else { return false }
        for (index, frame) in frames.enumerated().dropFirst() {
            try send(frame, more: index < frames.count - 1)
        }
        return true
    }

    /// Lends an array's bytes to a typed-throwing closure (`withUnsafeBytes` only rethrows).
    @inlinable
    func withBorrowedBytes<R>(
        _ bytes: [UInt8], _ body: (UnsafeRawBufferPointer) throws(ZMQError) -> R
    ) throws(ZMQError) -> R {
        try bytes.withUnsafeBytes { raw in Result { () throws(ZMQError) in try body(raw) } }.get()
    }

    /// Lends a string's UTF-8 bytes to a typed-throwing closure.
    func withBorrowedBytes<R>(
        _ string: String, _ body: (UnsafeRawBufferPointer) throws(ZMQError) -> R
    ) throws(ZMQError) -> R {
        var string = string
        return try string.withUTF8 { utf8 in
            Result { () throws(ZMQError) in try body(UnsafeRawBufferPointer(utf8)) }
        }.get()
    }

    /// Sends raw bytes with flags; `false` only for `EAGAIN` under `ZMQ_DONTWAIT`.
    @inlinable
    func sendFrame(_ base: UnsafeRawPointer?, _ count: Int, flags: Int32) throws(ZMQError) -> Bool {
        let handle = try validHandle()
        while true {
            if zmq_send(handle, base, count, flags) >= 0 { return true }
            let code = zmq_errno()
            if code == EINTR { continue }
            if code == EAGAIN && flags & ZMQ_DONTWAIT != 0 { return false }
            throw ZMQError(code: code)
        }
    }

    /// Sends a `zmq_msg_t` with flags; `false` only for `EAGAIN` under `ZMQ_DONTWAIT`.
    @inlinable
    func sendMessage(_ message: UnsafeMutablePointer<zmq_msg_t>, flags: Int32) throws(ZMQError) -> Bool {
        let handle = try validHandle()
        while true {
            if zmq_msg_send(message, handle, flags) >= 0 { return true }
            let code = zmq_errno()
            if code == EINTR { continue }
            if code == EAGAIN && flags & ZMQ_DONTWAIT != 0 { return false }
            throw ZMQError(code: code)
        }
    }
}
