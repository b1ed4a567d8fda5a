public import CZeroMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// Receiving. The hot paths reuse storage the caller already has (a Message, an array's
// capacity, a raw buffer); the allocating ones are for control traffic.
extension Socket {
    /// Receives one frame into a reusable message, waiting until one arrives.
    ///
    /// The message's previous content is released; nothing is allocated on the Swift side.
    /// Check ``Message/hasMore`` for further frames of the same message.
    ///
    /// - Parameter message: The message to fill.
    /// - Throws: ``ZMQError``; ``ZMQError/wouldBlock`` when `receiveTimeout` expired,
    ///   ``ZMQError/contextTerminated`` after ``Context/shutdown()``.
    @inlinable
    public func receive(_ message: Message) throws(ZMQError) {
        _ = try receiveMessage(message.pointer, flags: 0)
    }

    /// Receives one frame into a reusable message unless none is waiting (`ZMQ_DONTWAIT`).
    ///
    /// - Parameter message: The message to fill.
    /// - Returns: `false` when no frame was waiting; the message is then unchanged.
    /// - Throws: ``ZMQError`` for any other failure.
    @inlinable
    public func tryReceive(_ message: Message) throws(ZMQError) -> Bool {
        try receiveMessage(message.pointer, flags: ZMQ_DONTWAIT)
    }

    /// Receives one frame into an array, reusing its capacity, waiting until one arrives.
    ///
    /// The array's old content is replaced. Once its capacity fits the largest frame, a
    /// loop that receives into the same array allocates nothing. Read ``hasMore`` for
    /// further frames of the same message.
    ///
    /// - Parameter bytes: The array to fill.
    /// - Throws: ``ZMQError``; ``ZMQError/wouldBlock`` when `receiveTimeout` expired.
    @inlinable
    public func receive(into bytes: inout [UInt8]) throws(ZMQError) {
        _ = try receiveMessage(scratch, flags: 0)
        copyScratch(into: &bytes)
    }

    /// Receives one frame into an array, reusing its capacity, unless none is waiting.
    ///
    /// - Parameter bytes: The array to fill; unchanged when nothing was waiting.
    /// - Returns: `false` when no frame was waiting.
    /// - Throws: ``ZMQError`` for any other failure.
    @inlinable
    public func tryReceive(into bytes: inout [UInt8]) throws(ZMQError) -> Bool {
        guard try receiveMessage(scratch, flags: ZMQ_DONTWAIT) else { return false }
        copyScratch(into: &bytes)
        return true
    }

    /// Receives one frame into a caller's buffer, waiting until one arrives (`zmq_recv`).
    ///
    /// - Parameter buffer: Where to copy the frame. A longer frame is truncated to fit.
    /// - Returns: The frame's full size; larger than `buffer.count` when it was truncated.
    /// - Throws: ``ZMQError``; ``ZMQError/wouldBlock`` when `receiveTimeout` expired.
    @inlinable
    public func receive(into buffer: UnsafeMutableRawBufferPointer) throws(ZMQError) -> Int {
        try receiveFrame(buffer, flags: 0) ?? 0
    }

    /// Receives one frame into a caller's buffer unless none is waiting.
    ///
    /// - Parameter buffer: Where to copy the frame. A longer frame is truncated to fit.
    /// - Returns: The frame's full size, or `nil` when no frame was waiting.
    /// - Throws: ``ZMQError`` for any other failure.
    @inlinable
    public func tryReceive(into buffer: UnsafeMutableRawBufferPointer) throws(ZMQError) -> Int? {
        try receiveFrame(buffer, flags: ZMQ_DONTWAIT)
    }

    /// Receives one frame as a new array, waiting until one arrives.
    ///
    /// - Returns: The frame's bytes.
    /// - Throws: ``ZMQError``.
    public func receive() throws(ZMQError) -> [UInt8] {
        var bytes: [UInt8] = []
        try receive(into: &bytes)
        return bytes
    }

    /// Receives one frame as a new array unless none is waiting.
    ///
    /// - Returns: The frame's bytes, or `nil` when no frame was waiting.
    /// - Throws: ``ZMQError`` for any other failure.
    public func tryReceive() throws(ZMQError) -> [UInt8]? {
        var bytes: [UInt8] = []
        return try tryReceive(into: &bytes) ? bytes : nil
    }

    /// Receives one frame decoded as UTF-8, waiting until one arrives.
    ///
    /// - Returns: The frame as a string; invalid UTF-8 is repaired.
    /// - Throws: ``ZMQError``.
    public func receiveString() throws(ZMQError) -> String {
        _ = try receiveMessage(scratch, flags: 0)
        return scratchString()
    }

    /// Receives one frame decoded as UTF-8 unless none is waiting.
    ///
    /// - Returns: The frame as a string, or `nil` when no frame was waiting.
    /// - Throws: ``ZMQError`` for any other failure.
    public func tryReceiveString() throws(ZMQError) -> String? {
        try receiveMessage(scratch, flags: ZMQ_DONTWAIT) ? scratchString() : nil
    }

    /// Receives every frame of the next message, waiting until one arrives.
    ///
    /// - Returns: The frames, first to last.
    /// - Throws: ``ZMQError``.
    public func receiveMultipart() throws(ZMQError) -> [[UInt8]] {
        _ = try receiveMessage(scratch, flags: 0)
        return try scratchAndRest()
    }

    /// Receives every frame of the next message unless none is waiting.
    ///
    /// libzmq delivers multipart messages whole, so only the first frame can be missing.
    ///
    /// - Returns: The frames, first to last, or `nil` when no message was waiting.
    /// - Throws: ``ZMQError`` for any other failure.
    public func tryReceiveMultipart() throws(ZMQError) -> [[UInt8]]? {
        guard try receiveMessage(scratch, flags: ZMQ_DONTWAIT) else { return nil }
        return try scratchAndRest()
    }

    /// Receives every frame of the next message as strings, waiting until one arrives.
    ///
    /// - Returns: The frames decoded as UTF-8, first to last.
    /// - Throws: ``ZMQError``.
    public func receiveMultipartStrings() throws(ZMQError) -> [String] {
        try receiveMultipart().map { String(decoding: $0, as: UTF8.self) }
    }

    /// The frame in `scratch` plus the remaining frames of its message.
    private func scratchAndRest() throws(ZMQError) -> [[UInt8]] {
        var frames: [[UInt8]] = []
        while true {
            var frame: [UInt8] = []
            copyScratch(into: &frame)
            frames.append(frame)
            guard zmq_msg_more(scratch) != 0 else { return frames }
            _ = try receiveMessage(scratch, flags: 0)
        }
    }

    private func scratchString() -> String {
        String(decoding: UnsafeRawBufferPointer(start: zmq_msg_data(scratch), count: zmq_msg_size(scratch)),
               as: UTF8.self)
    }

    /// Replaces `bytes` with the content of `scratch`, keeping the array's capacity.
    @inlinable
    func copyScratch(into bytes: inout [UInt8]) {
        let count = zmq_msg_size(scratch)
        bytes.removeAll(keepingCapacity: true)
        guard count > 0, let data = zmq_msg_data(scratch) else { return }
        bytes.append(contentsOf: UnsafeBufferPointer(start: data.assumingMemoryBound(to: UInt8.self), count: count))
    }

    /// Receives into a `zmq_msg_t`; `false` only for `EAGAIN` under `ZMQ_DONTWAIT`.
    @inlinable
    func receiveMessage(_ message: UnsafeMutablePointer<zmq_msg_t>, flags: Int32) throws(ZMQError) -> Bool {
        let handle = try validHandle()
        while true {
            if zmq_msg_recv(message, handle, flags) >= 0 { return true }
            let code = zmq_errno()
            if code == EINTR { continue }
            if code == EAGAIN && flags & ZMQ_DONTWAIT != 0 { return false }
            throw ZMQError(code: code)
        }
    }

    /// Receives into raw memory; the frame's size, or `nil` only for `EAGAIN` under `ZMQ_DONTWAIT`.
    @inlinable
    func receiveFrame(_ buffer: UnsafeMutableRawBufferPointer, flags: Int32) throws(ZMQError) -> Int? {
        let handle = try validHandle()
        while true {
            let size = zmq_recv(handle, buffer.baseAddress, buffer.count, flags)
            if size >= 0 { return Int(size) }
            let code = zmq_errno()
            if code == EINTR { continue }
            if code == EAGAIN && flags & ZMQ_DONTWAIT != 0 { return nil }
            throw ZMQError(code: code)
        }
    }
}
