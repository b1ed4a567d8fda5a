/// A bounds-checked little-endian reader over borrowed bytes.
///
/// Every read checks the remaining length first and throws ``WireError/truncated(field:)``,
/// so untrusted input can never be read out of bounds.
package struct ByteReader {
    private let bytes: UnsafeRawBufferPointer
    package private(set) var offset = 0

    package init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    package var remaining: Int { bytes.count - offset }

    @inline(__always)
    package mutating func read<T: FixedWidthInteger>(_: T.Type, _ field: StaticString) throws(WireError) -> T {
        let size = MemoryLayout<T>.size
        guard remaining >= size else { throw .truncated(field: "\(field)") }
        let value = bytes.loadUnaligned(fromByteOffset: offset, as: T.self)
        offset += size
        return T(littleEndian: value)
    }

    /// The next `count` bytes, valid as long as the underlying buffer is.
    package mutating func read(count: Int, _ field: StaticString) throws(WireError) -> UnsafeRawBufferPointer {
        guard count >= 0, remaining >= count else { throw .truncated(field: "\(field)") }
        defer { offset += count }
        return UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + count])
    }

    /// A string written by ``ByteWriter/write(string:)``.
    package mutating func readString(_ field: StaticString) throws(WireError) -> String {
        let count = Int(try read(UInt32.self, field))
        return String(decoding: try read(count: count, field), as: UTF8.self)
    }
}

/// Appends little-endian integers and bytes to a byte array.
package struct ByteWriter {
    package var bytes: [UInt8]

    package init(bytes: [UInt8] = []) { self.bytes = bytes }

    @inline(__always)
    package mutating func write<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    package mutating func write(contentsOf other: some Sequence<UInt8>) {
        bytes.append(contentsOf: other)
    }

    package mutating func write(contentsOf other: UnsafeRawBufferPointer) {
        bytes.append(contentsOf: other)
    }

    /// A length (u32) and the UTF-8 bytes.
    package mutating func write(string: String) {
        write(UInt32(string.utf8.count))
        bytes.append(contentsOf: string.utf8)
    }
}
