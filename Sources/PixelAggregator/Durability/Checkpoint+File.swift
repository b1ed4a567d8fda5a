public import Foundation
public import PixelCore
import PixelSupport

/// A checkpoint's file.
///
/// **File.** `checkpoint-<clock ms, 16 hex digits>.ckpt`:
///
/// | bytes | field |
/// |---|---|
/// | 4 | `PXCK` |
/// | 1 | format version: 3 (1 and 2, from earlier releases, are read too) |
/// | 3 | zero |
/// | 8 | body length *n*, u64 little-endian |
/// | 4 | CRC-32 of the body, u32 little-endian |
/// | *n* | body: the clock (i64), the log position (segment i64, −1 for none; offset i64), then the state |
///
/// A file whose length, magic, version or checksum is wrong is refused whole. The state's
/// layout follows the version (``PixelCore/CheckpointFormat``).
extension Checkpoint {
    static let magic = Array("PXCK".utf8)
    static let headerBytes = 20

    /// The file's bytes.
    public var fileBytes: [UInt8] {
        var file = ByteWriter(bytes: Self.magic + [format.rawValue, 0, 0, 0])
        file.bytes.reserveCapacity(Self.headerBytes + 24 + state.count)
        file.write(UInt64(0))  // the body length and its checksum, filled in below
        file.write(UInt32(0))
        file.write(time)
        file.write(logPosition?.segment ?? -1)
        file.write(Int64(logPosition?.offset ?? 0))
        file.write(contentsOf: state)
        file.bytes.withUnsafeMutableBytes { raw in
            let body = UnsafeRawBufferPointer(rebasing: raw[Self.headerBytes...])
            raw.storeBytes(of: UInt64(body.count).littleEndian, toByteOffset: 8, as: UInt64.self)
            raw.storeBytes(of: CRC32.checksum(body).littleEndian, toByteOffset: 16, as: UInt32.self)
        }
        return file.bytes
    }

    /// Reads a checkpoint file's bytes, checking its length and checksum.
    public init(fileBytes data: Data) throws(CheckpointError) {
        let bytes = [UInt8](data)
        guard bytes.count >= Self.headerBytes, Array(bytes[0..<4]) == Self.magic else {
            throw CheckpointError("not a checkpoint (no PXCK header)")
        }
        guard let format = CheckpointFormat(rawValue: bytes[4]) else {
            let versions = CheckpointFormat.allCases.map { "\($0.rawValue)" }.joined(separator: ", ")
            throw CheckpointError("format version \(bytes[4]) is not one this build reads (\(versions))")
        }
        let bodyCount = bytes.count - Self.headerBytes
        let (length, crc, actual) = bytes.withUnsafeBytes { raw in
            (UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)),
             UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 16, as: UInt32.self)),
             CRC32.checksum(UnsafeRawBufferPointer(rebasing: raw[Self.headerBytes...])))
        }
        guard length == UInt64(bodyCount) else {
            throw CheckpointError("truncated: the header says \(length) bytes of state, the file holds \(bodyCount)")
        }
        guard actual == crc else {
            throw CheckpointError("checksum mismatch (CRC-32 \(String(actual, radix: 16)), header says \(String(crc, radix: 16))): the file is damaged")
        }
        guard bodyCount >= 24 else { throw CheckpointError("truncated: no clock or log position") }
        let (time, segment, offset) = bytes.withUnsafeBytes { raw in
            (Int64(littleEndian: raw.loadUnaligned(fromByteOffset: Self.headerBytes, as: Int64.self)),
             Int64(littleEndian: raw.loadUnaligned(fromByteOffset: Self.headerBytes + 8, as: Int64.self)),
             Int64(littleEndian: raw.loadUnaligned(fromByteOffset: Self.headerBytes + 16, as: Int64.self)))
        }
        self.init(time: time, logPosition: segment < 0 ? nil : LogPosition(segment: segment, offset: Int(offset)),
                  state: Array(bytes[(Self.headerBytes + 24)...]), format: format)
    }
}
