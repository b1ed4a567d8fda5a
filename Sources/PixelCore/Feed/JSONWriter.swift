/// Writes compact JSON into a byte buffer, for feed bodies published many times a second.
///
/// Only what the feed and the collector's answers need: objects, arrays of objects,
/// strings, integers, doubles, booleans and null. Commas are placed automatically. Member
/// names are literals (`StaticString`), copied as bytes: a body is mostly names and
/// digits, and a `String`'s UTF-8 view is slower to append.
public struct JSONWriter {
    public private(set) var bytes: [UInt8] = []
    private var needsComma = false

    public init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    /// Opens an object, as a value or as member `key`.
    public mutating func beginObject(_ key: String? = nil) {
        if let key { writeKey(key.utf8) } else { separate() }
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
    }

    public mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    /// Opens an array as member `key`; its elements are objects (``beginObject(_:)``).
    public mutating func beginArray(_ key: StaticString) {
        writeKey(key)
        bytes.append(UInt8(ascii: "["))
        needsComma = false
    }

    public mutating func endArray() {
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
    }

    public mutating func member(_ key: StaticString, _ value: String?) {
        writeKey(key)
        guard let value else { return append("null") }
        JSONWriter.quote(value) { bytes.append($0) }
    }

    /// `value` as a JSON string, byte by byte: quoted, with `"`, `\` and control characters
    /// escaped (everything else as it is, UTF-8).
    @inline(__always)
    static func quote(_ value: String, _ emit: (UInt8) -> Void) {
        emit(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                emit(UInt8(ascii: "\\"))
                emit(byte)
            case 0..<0x20:
                for escape in "\\u00".utf8 { emit(escape) }
                emit(hex[Int(byte >> 4)])
                emit(hex[Int(byte & 0xF)])
            default: emit(byte)
            }
        }
        emit(UInt8(ascii: "\""))
    }

    public mutating func member(_ key: StaticString, _ value: some BinaryInteger) {
        writeKey(key)
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        writeDigits(UInt64(truncatingIfNeeded: value.magnitude))
    }

    /// An integer, or null for `nil`.
    public mutating func member(_ key: StaticString, _ value: Int64?) {
        guard let value else {
            writeKey(key)
            return append("null")
        }
        member(key, value)
    }

    /// An array of integers as member `key`.
    public mutating func member(_ key: StaticString, integers values: some Sequence<UInt64>) {
        writeKey(key)
        bytes.append(UInt8(ascii: "["))
        var first = true
        for value in values {
            if !first { bytes.append(UInt8(ascii: ",")) }
            first = false
            writeDigits(value)
        }
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
    }

    /// Decimal digits without a `String` in between: feed bodies are mostly integers.
    private mutating func writeDigits(_ value: UInt64) {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // room for the 20 digits of UInt64.max
        withUnsafeMutableBytes(of: &digits) { buffer in
            var rest = value
            var index = buffer.count
            repeat {
                index -= 1
                buffer[index] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            } while rest > 0
            bytes.append(contentsOf: buffer[index...])
        }
    }

    /// A finite double, or null for `nil` (JSON has no NaN or infinity).
    public mutating func member(_ key: StaticString, _ value: Double?) {
        writeKey(key)
        guard let value, value.isFinite else { return append("null") }
        bytes.append(contentsOf: value.description.utf8)
    }

    public mutating func member(_ key: StaticString, _ value: Bool) {
        writeKey(key)
        append(value ? "true" : "false")
    }

    private static let hex = Array("0123456789abcdef".utf8)

    private mutating func separate() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
        needsComma = true
    }

    private mutating func writeKey(_ key: StaticString) {
        key.withUTF8Buffer { writeKey($0) }
    }

    private mutating func writeKey(_ key: some Collection<UInt8>) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: key)
        append("\":")
    }

    private mutating func append(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }
}
