public import PixelCore
public import ZeroMQ

/// Sends frames to an ingest endpoint over a fresh DEALER, as a collector would, and waits
/// for one acknowledgement each (`nil` for a reply that is not one), in order. Blocking:
/// call it on a socket thread (``onSocketThread(_:)``).
public func sendAndAwaitAcks(_ frames: [[UInt8]], to endpoint: String, context: Context) throws -> [IngestAck?] {
    let dealer = try context.socket(.dealer)
    defer { dealer.close() }
    try dealer.set(.receiveTimeout, to: .seconds(10))
    try dealer.set(.linger, to: .zero)
    try dealer.connect(endpoint)
    for frame in frames { try dealer.send(frame) }
    return try frames.map { _ in IngestAck(decoding: try dealer.receive()) }
}
