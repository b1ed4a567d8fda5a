import Foundation
import PixelCore

/// The aggregator's whole state at one moment, and the place in the ingest log it covers.
///
/// **File.** `checkpoint-<clock ms, 16 hex digits>.ckpt`:
///
/// | bytes | field |
/// |---|---|
/// | 4 | `PXCK` |
/// | 1 | format version, 1 |
/// | 3 | zero |
/// | 8 | body length *n*, u64 little-endian |
/// | 4 | CRC-32 of the body, u32 little-endian |
/// | *n* | body: the clock (i64), the log position (segment i64, −1 for none; offset i64), then the state |
///
/// A file whose length, magic, version or checksum is wrong is refused whole.
public struct Checkpoint: Sendable {
    /// The aggregator's clock when it was taken, ms since the Unix epoch.
    public let time: Int64
    /// The end of the last ingest-log records it counts; `nil` without a log.
    public let logPosition: IngestLog.Position?
    /// The state, as ``AggregatorState`` encodes it.
    let state: [UInt8]

    static let magic = Array("PXCK".utf8)
    static let version: UInt8 = 1
    static let headerBytes = 20

    init(time: Int64, logPosition: IngestLog.Position?, state: [UInt8]) {
        self.time = time
        self.logPosition = logPosition
        self.state = state
    }

    /// The file's bytes.
    public var fileBytes: [UInt8] {
        var body = ByteWriter()
        body.write(time)
        body.write(logPosition?.segment ?? -1)
        body.write(Int64(logPosition?.offset ?? 0))
        body.write(contentsOf: state)
        var file = ByteWriter(bytes: Self.magic + [Self.version, 0, 0, 0])
        file.write(UInt64(body.bytes.count))
        file.write(CRC32.checksum(body.bytes))
        file.write(contentsOf: body.bytes)
        return file.bytes
    }

    /// Reads a checkpoint file's bytes, checking its length and checksum.
    public init(fileBytes data: Data) throws(CheckpointError) {
        let bytes = [UInt8](data)
        guard bytes.count >= Self.headerBytes, Array(bytes[0..<4]) == Self.magic else {
            throw CheckpointError("not a checkpoint (no PXCK header)")
        }
        guard bytes[4] == Self.version else { throw CheckpointError("format version \(bytes[4]) is not one this build reads (\(Self.version))") }
        let header = bytes.withUnsafeBytes { raw in
            (length: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)),
             crc: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 16, as: UInt32.self)))
        }
        let body = Array(bytes[Self.headerBytes...])
        guard header.length == UInt64(body.count) else {
            throw CheckpointError("truncated: the header says \(header.length) bytes of state, the file holds \(body.count)")
        }
        let crc = CRC32.checksum(body)
        guard crc == header.crc else {
            throw CheckpointError("checksum mismatch (CRC-32 \(String(crc, radix: 16)), header says \(String(header.crc, radix: 16))): the file is damaged")
        }
        guard body.count >= 24 else { throw CheckpointError("truncated: no clock or log position") }
        let (time, segment, offset) = body.withUnsafeBytes { raw in
            (Int64(littleEndian: raw.loadUnaligned(as: Int64.self)),
             Int64(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: Int64.self)),
             Int64(littleEndian: raw.loadUnaligned(fromByteOffset: 16, as: Int64.self)))
        }
        self.time = time
        logPosition = segment < 0 ? nil : IngestLog.Position(segment: segment, offset: Int(offset))
        state = Array(body[24...])
    }
}
