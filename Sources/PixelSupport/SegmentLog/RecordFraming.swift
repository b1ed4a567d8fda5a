/// How the segment logs (the aggregator's ingest log, the collector's spool) frame a record:
///
/// | bytes | field |
/// |---|---|
/// | 4 | payload length *n*, u32 little-endian |
/// | 4 | CRC-32 of the prefix and the payload, u32 little-endian |
/// | ``prefixBytes`` | a fixed-size prefix (the ingest log's clock, the spool's record type) |
/// | *n* | the payload |
///
/// A record cut short (a write torn by a crash) reads as ``Parsed/incomplete``; one whose
/// checksum or length is wrong as ``Parsed/damaged``. What to do about either is the log's
/// own policy.
public struct RecordFraming: Sendable {
    /// Length and checksum.
    public static let headerBytes = 8
    /// The fixed part of the body, counted in the checksum but not in the length.
    public let prefixBytes: Int
    /// Payload lengths outside this range are damage.
    public let payloadLengths: ClosedRange<Int>

    public init(prefixBytes: Int, payloadLengths: ClosedRange<Int> = 0...Int(UInt32.max)) {
        self.prefixBytes = prefixBytes
        self.payloadLengths = payloadLengths
    }

    /// Appends one record to `buffer`: `body` appends the prefix and then the payload; the
    /// header is filled in after it.
    public func append(to buffer: inout [UInt8], body: (inout [UInt8]) -> Void) {
        let start = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: Self.headerBytes))
        body(&buffer)
        let length = UInt32(buffer.count - start - Self.headerBytes - prefixBytes)
        let crc = buffer.withUnsafeBytes { CRC32.checksum(UnsafeRawBufferPointer(rebasing: $0[(start + Self.headerBytes)...])) }
        buffer.withUnsafeMutableBytes { bytes in
            bytes.storeBytes(of: length.littleEndian, toByteOffset: start, as: UInt32.self)
            bytes.storeBytes(of: crc.littleEndian, toByteOffset: start + 4, as: UInt32.self)
        }
    }

    /// What ``parse(_:)`` found at the start of a buffer.
    public enum Parsed {
        /// A whole, intact record of `size` bytes; `body` is its prefix and payload.
        case record(body: UnsafeRawBufferPointer, size: Int)
        /// The buffer ends inside a record.
        case incomplete
        /// The record fails its checksum, or its length is out of range.
        case damaged
    }

    /// Reads the record at the start of `bytes`. Never reads out of bounds.
    public func parse(_ bytes: UnsafeRawBufferPointer) -> Parsed {
        guard bytes.count >= Self.headerBytes + prefixBytes else { return .incomplete }
        let length = Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 0, as: UInt32.self)))
        let crc = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
        guard payloadLengths.contains(length) else { return .damaged }
        let size = Self.headerBytes + prefixBytes + length
        guard bytes.count >= size else { return .incomplete }
        let body = UnsafeRawBufferPointer(rebasing: bytes[Self.headerBytes..<size])
        guard CRC32.checksum(body) == crc else { return .damaged }
        return .record(body: body, size: size)
    }
}
