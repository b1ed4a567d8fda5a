/// A bounds-checked little-endian reader over borrowed bytes.
///
/// Every read checks the remaining length first and throws ``WireError/truncated(field:)``,
/// so untrusted input can never be read out of bounds.
struct ByteReader {
    private let bytes: UnsafeRawBufferPointer
    private(set) var offset = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    var remaining: Int { bytes.count - offset }

    @inline(__always)
    mutating func read<T: FixedWidthInteger>(_: T.Type, _ field: StaticString) throws(WireError) -> T {
        let size = MemoryLayout<T>.size
        guard remaining >= size else { throw .truncated(field: "\(field)") }
        let value = bytes.loadUnaligned(fromByteOffset: offset, as: T.self)
        offset += size
        return T(littleEndian: value)
    }

    /// The next `count` bytes, valid as long as the underlying buffer is.
    mutating func read(count: Int, _ field: StaticString) throws(WireError) -> UnsafeRawBufferPointer {
        guard remaining >= count else { throw .truncated(field: "\(field)") }
        defer { offset += count }
        return UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + count])
    }
}

/// Appends little-endian integers and bytes to a byte array.
struct ByteWriter {
    var bytes: [UInt8]

    @inline(__always)
    mutating func write<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func write(contentsOf other: some Sequence<UInt8>) {
        bytes.append(contentsOf: other)
    }
}
