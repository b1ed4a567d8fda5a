import PixelCore
import PixelSupport

/// One record of a spool segment.
///
/// On disk: `[payload length u32 LE][CRC-32 of type and payload, u32 LE][type u8][payload]`
/// (the segment logs' ``PixelSupport/RecordFraming``, with the type as its prefix).
///
/// | type | payload |
/// |---|---|
/// | 1 hit | batch sequence u64 LE, then the hit as a one-event batch frame (wire v1) under that sequence |
/// | 2 seal | batch sequence u64 LE, event count u32 LE, then a flags byte when not 0 (bit 0: the batch asks for each event's fate) |
/// | 3 ack | batch sequence u64 LE |
enum SpoolRecord: Equatable {
    /// The hit as written: a one-event batch, which also carries the collector id it was
    /// recorded under; `nil` when parsed without decoding hits.
    case hit(sequence: UInt64, EventBatch?)
    case seal(sequence: UInt64, events: Int, reportsFates: Bool)
    case ack(sequence: UInt64)

    enum Kind: UInt8 {
        case hit = 1
        case seal = 2
        case ack = 3
    }

    /// No payload is larger: a one-event frame is under 300 bytes. A larger length, or one
    /// shorter than a sequence number, is damage.
    static let framing = RecordFraming(prefixBytes: 1, payloadLengths: 8...4096)

    /// Appends a seal record to `buffer`.
    static func appendSeal(sequence: UInt64, events: Int, reportsFates: Bool = false, to buffer: inout [UInt8]) {
        appendRecord(.seal, to: &buffer) { payload in
            payload.appendLittleEndian(sequence)
            payload.appendLittleEndian(UInt32(events))
            if reportsFates { payload.append(1) }
        }
    }

    /// Appends an ack record to `buffer`.
    static func appendAck(sequence: UInt64, to buffer: inout [UInt8]) {
        appendRecord(.ack, to: &buffer) { $0.appendLittleEndian(sequence) }
    }

    /// Appends a hit record to `buffer`, encoding the hit through `scratch` (reused, so that
    /// recording a hit allocates nothing once the buffers have grown).
    static func appendHit(_ hit: HitEvent, sequence: UInt64, scratch: inout EventBatch, to buffer: inout [UInt8]) {
        scratch.removeAll(nextSequence: sequence)
        scratch.append(hit)
        appendRecord(.hit, to: &buffer) { payload in
            payload.appendLittleEndian(sequence)
            scratch.encode(into: &payload)
        }
    }

    /// Appends a record of `kind` whose payload `payload` appends.
    private static func appendRecord(_ kind: Kind, to buffer: inout [UInt8], payload: (inout [UInt8]) -> Void) {
        framing.append(to: &buffer) { body in
            body.append(kind.rawValue)
            payload(&body)
        }
    }

    /// What ``parse(_:)`` found at the start of a buffer.
    enum Parsed {
        /// A whole, intact record of `size` bytes.
        case record(SpoolRecord, size: Int)
        /// The buffer ends inside a record.
        case incomplete
        /// The record fails its checksum, or its length, type or payload make no sense.
        case damaged
    }

    /// Reads the record at the start of `bytes`. Never reads out of bounds.
    ///
    /// - Parameter decodingHits: Decode the hit of a hit record (else only its checksum
    ///   and sequence are checked).
    static func parse(_ bytes: UnsafeRawBufferPointer, decodingHits: Bool = true) -> Parsed {
        switch framing.parse(bytes) {
        case .incomplete: .incomplete
        case .damaged: .damaged
        case .record(let body, let size): parse(body: body, size: size, decodingHits: decodingHits)
        }
    }

    /// Reads the type and payload of an intact record.
    private static func parse(body: UnsafeRawBufferPointer, size: Int, decodingHits: Bool) -> Parsed {
        guard let kind = Kind(rawValue: body[0]) else { return .damaged }
        let length = body.count - 1
        let payload = UnsafeRawBufferPointer(rebasing: body[1...])
        let sequence = UInt64(littleEndian: payload.loadUnaligned(as: UInt64.self))
        switch kind {
        case .hit:
            guard decodingHits else { return .record(.hit(sequence: sequence, nil), size: size) }
            guard let batch = try? EventBatch.decode(UnsafeRawBufferPointer(rebasing: payload[8...])),
                  batch.count == 1, batch.sequence == sequence
            else { return .damaged }
            return .record(.hit(sequence: sequence, batch), size: size)
        case .seal:
            guard length == 12 || (length == 13 && payload[12] == 1) else { return .damaged }
            let events = UInt32(littleEndian: payload.loadUnaligned(fromByteOffset: 8, as: UInt32.self))
            return .record(.seal(sequence: sequence, events: Int(events), reportsFates: length == 13), size: size)
        case .ack:
            guard length == 8 else { return .damaged }
            return .record(.ack(sequence: sequence), size: size)
        }
    }
}

extension [UInt8] {
    @inline(__always)
    mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }
}
