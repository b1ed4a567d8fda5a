/// The aggregator's answer to one ingest batch.
///
/// One frame, little-endian, sent back over the same ROUTER/DEALER connection the batch
/// came in on. Version 1, 14 bytes: magic `PXPA` (4), version `1` (1), status (1), batch
/// sequence (u64). Version 2, for an `accepted` batch that asked for its events' fates
/// (``EventBatch/reportsFates``): magic `PXPA`, version `2`, status, sequence (u64), event
/// count (u32), then one ``EventFate`` byte per event, in batch order. Every other answer
/// is version 1.
public struct IngestAck: Sendable, Hashable {
    /// What the aggregator did with the batch.
    public enum Status: UInt8, Sendable {
        /// The batch was counted.
        case accepted = 0
        /// A batch with this collector and sequence was counted before; not counted again.
        /// Its events' fates were not kept, so it carries none.
        case duplicate = 1
        /// The batch could not be decoded; ``IngestAck/sequence`` is 0 when unreadable.
        case rejected = 2
    }

    public var sequence: UInt64
    public var status: Status
    /// What became of each event, in batch order: only for an `accepted` batch that asked.
    public var fates: [EventFate]?

    public static let magic: [UInt8] = Array("PXPA".utf8)
    /// The size of a version-1 ack (one without fates).
    public static let byteCount = 14
    /// The size of a version-2 ack before its fates.
    static let fatesHeaderCount = 18

    /// Creates an ack.
    ///
    /// - Precondition: `fates` is `nil` unless `status` is `accepted`, and holds at most
    ///   ``EventBatch/maxEvents``.
    public init(sequence: UInt64, status: Status, fates: [EventFate]? = nil) {
        precondition(fates == nil || status == .accepted, "only an accepted batch has fates")
        precondition((fates?.count ?? 0) <= EventBatch.maxEvents, "more fates than a batch has events")
        self.sequence = sequence
        self.status = status
        self.fates = fates
    }

    /// The encoded frame: version 1 without fates, version 2 with them.
    public func encoded() -> [UInt8] {
        var writer = ByteWriter(bytes: Self.magic)
        writer.bytes.reserveCapacity(fates.map { Self.fatesHeaderCount + $0.count } ?? Self.byteCount)
        writer.write(UInt8(fates == nil ? 1 : 2))
        writer.write(status.rawValue)
        writer.write(sequence)
        if let fates {
            writer.write(UInt32(fates.count))
            for fate in fates { writer.write(fate.rawValue) }
        }
        return writer.bytes
    }

    /// Decodes a frame; `nil` for anything that is not a version-1 ack or a version-2 ack of
    /// an accepted batch whose fates are all known and fill the frame exactly.
    public init?(decoding bytes: some Collection<UInt8>) {
        let array = Array(bytes)
        guard array.count >= Self.byteCount, array.prefix(4).elementsEqual(Self.magic),
              let status = Status(rawValue: array[5]) else { return nil }
        let sequence = Self.littleEndian(array[6..<14], as: UInt64.self)
        switch array[4] {
        case 1 where array.count == Self.byteCount:
            self.init(sequence: sequence, status: status)
        case 2 where status == .accepted && array.count >= Self.fatesHeaderCount:
            let count = Int(Self.littleEndian(array[14..<18], as: UInt32.self))
            guard count <= EventBatch.maxEvents, array.count - Self.fatesHeaderCount == count else { return nil }
            var fates: [EventFate] = []
            fates.reserveCapacity(count)
            for raw in array[Self.fatesHeaderCount...] {
                guard let fate = EventFate(rawValue: raw) else { return nil }
                fates.append(fate)
            }
            self.init(sequence: sequence, status: status, fates: fates)
        default:
            return nil
        }
    }

    private static func littleEndian<T: FixedWidthInteger>(_ bytes: ArraySlice<UInt8>, as: T.Type) -> T {
        bytes.reversed().reduce(0) { $0 << 8 | T($1) }
    }
}
