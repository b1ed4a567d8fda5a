/// The aggregator's answer to one ingest batch.
///
/// One 14-byte frame, little-endian: magic `PXPA` (4), version `1` (1), status (1),
/// batch sequence (u64). The aggregator sends it back over the same ROUTER/DEALER
/// connection the batch came in on.
public struct IngestAck: Sendable, Hashable {
    /// What the aggregator did with the batch.
    public enum Status: UInt8, Sendable {
        /// The batch was counted.
        case accepted = 0
        /// A batch with this collector and sequence was counted before; not counted again.
        case duplicate = 1
        /// The batch could not be decoded; ``IngestAck/sequence`` is 0 when unreadable.
        case rejected = 2
    }

    public var sequence: UInt64
    public var status: Status

    public static let magic: [UInt8] = Array("PXPA".utf8)
    public static let byteCount = 14

    public init(sequence: UInt64, status: Status) {
        self.sequence = sequence
        self.status = status
    }

    /// The encoded frame.
    public func encoded() -> [UInt8] {
        var writer = ByteWriter(bytes: Self.magic)
        writer.write(UInt8(1))
        writer.write(status.rawValue)
        writer.write(sequence)
        return writer.bytes
    }

    /// Decodes a frame; `nil` for anything that is not a version-1 ack.
    public init?(decoding bytes: some Collection<UInt8>) {
        guard bytes.count == Self.byteCount else { return nil }
        let array = Array(bytes)
        guard array.prefix(4).elementsEqual(Self.magic), array[4] == 1,
              let status = Status(rawValue: array[5]) else { return nil }
        var sequence: UInt64 = 0
        for (shift, byte) in array[6...].enumerated() { sequence |= UInt64(byte) << (8 * shift) }
        self.init(sequence: sequence, status: status)
    }
}
