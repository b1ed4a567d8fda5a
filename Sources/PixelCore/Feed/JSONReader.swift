/// Reads JSON from bytes in place, for feed bodies read thousands of times a second by
/// every subscriber: no intermediate values, no allocation but the strings asked for.
///
/// Strict JSON (RFC 8259) for what it reads; ``skipValue()`` passes over anything else.
/// Every read throws ``JSONReader/Malformed`` on input that is not what it expects.
public struct JSONReader {
    public struct Malformed: Error {}

    private let bytes: [UInt8]
    private var index = 0

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Whether only whitespace is left.
    public var isAtEnd: Bool {
        mutating get {
            skipWhitespace()
            return index == bytes.count
        }
    }

    /// Reads an object, calling `member` with each key (its raw bytes, escapes not decoded:
    /// compare it with ``key(_:is:)``) and the reader positioned at its value, which
    /// `member` must read or skip.
    public mutating func readObject(_ member: (inout JSONReader, ArraySlice<UInt8>) throws -> Void) throws {
        try expect(UInt8(ascii: "{"))
        if try peek() == UInt8(ascii: "}") {
            index += 1
            return
        }
        while true {
            let key = try readRawString()
            try expect(UInt8(ascii: ":"))
            try member(&self, key)
            switch try next() {
            case UInt8(ascii: ","): continue
            case UInt8(ascii: "}"): return
            default: throw Malformed()
            }
        }
    }

    /// Reads an array, calling `element` with the reader positioned at each element, which
    /// `element` must read or skip.
    public mutating func readArray(_ element: (inout JSONReader) throws -> Void) throws {
        try expect(UInt8(ascii: "["))
        if try peek() == UInt8(ascii: "]") {
            index += 1
            return
        }
        while true {
            try element(&self)
            switch try next() {
            case UInt8(ascii: ","): continue
            case UInt8(ascii: "]"): return
            default: throw Malformed()
            }
        }
    }

    /// Whether a key read by ``readObject(_:)`` is `name` (a key with escapes never is).
    public static func key(_ key: ArraySlice<UInt8>, is name: StaticString) -> Bool {
        key.count == name.utf8CodeUnitCount
            && name.withUTF8Buffer { key.elementsEqual($0) }
    }

    /// A key read by ``readObject(_:)`` as a string, escapes decoded.
    public static func string(_ key: ArraySlice<UInt8>) throws -> String {
        guard key.contains(UInt8(ascii: "\\")) else {
            guard let string = String(validating: key, as: UTF8.self) else { throw Malformed() }
            return string
        }
        return try unescape(key)
    }

    /// Reads `null` if that is what comes, and says so.
    public mutating func readNull() throws -> Bool {
        guard try peek() == UInt8(ascii: "n") else { return false }
        try expectLiteral("null")
        return true
    }

    public mutating func readString() throws -> String {
        try Self.string(try readRawString())
    }

    /// Reads a non-negative integer that fits in 64 bits.
    public mutating func readUInt64() throws -> UInt64 {
        skipWhitespace()
        let start = index
        var value: UInt64 = 0
        while index < bytes.count, bytes[index] &- UInt8(ascii: "0") < 10 {
            let (times, overflowTimes) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflowSum) = times.addingReportingOverflow(UInt64(bytes[index] &- UInt8(ascii: "0")))
            guard !overflowTimes, !overflowSum else { throw Malformed() }
            value = sum
            index += 1
        }
        // No empty number, no leading zero, no fraction or exponent on an integer.
        guard index > start, bytes[start] != UInt8(ascii: "0") || index == start + 1, !continuesNumber else { throw Malformed() }
        return value
    }

    public mutating func readInt64() throws -> Int64 {
        skipWhitespace()
        let negative = index < bytes.count && bytes[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        let magnitude = try readUInt64()
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { throw Malformed() }
            return magnitude == UInt64(Int64.max) + 1 ? .min : -Int64(magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { throw Malformed() }
        return Int64(magnitude)
    }

    public mutating func readDouble() throws -> Double {
        skipWhitespace()
        let start = index
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        let integer = index
        skipDigits()
        guard index > integer, bytes[integer] != UInt8(ascii: "0") || index == integer + 1 else { throw Malformed() }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            let fraction = index
            skipDigits()
            guard index > fraction else { throw Malformed() }
        }
        if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            let exponent = index
            skipDigits()
            guard index > exponent else { throw Malformed() }
        }
        guard let value = Double(String(decoding: bytes[start..<index], as: UTF8.self)), value.isFinite else { throw Malformed() }
        return value
    }

    /// Passes over one value of any kind.
    public mutating func skipValue() throws {
        switch try peek() {
        case UInt8(ascii: "{"):
            try readObject { reader, _ in try reader.skipValue() }
        case UInt8(ascii: "["):
            index += 1
            if try peek() == UInt8(ascii: "]") {
                index += 1
                return
            }
            while true {
                try skipValue()
                switch try next() {
                case UInt8(ascii: ","): continue
                case UInt8(ascii: "]"): return
                default: throw Malformed()
                }
            }
        case UInt8(ascii: "\""): _ = try readRawString()
        case UInt8(ascii: "t"): try expectLiteral("true")
        case UInt8(ascii: "f"): try expectLiteral("false")
        case UInt8(ascii: "n"): try expectLiteral("null")
        default: _ = try readDouble()
        }
    }

    // MARK: - Bytes

    private var continuesNumber: Bool {
        index < bytes.count && (bytes[index] == UInt8(ascii: ".") || bytes[index] | 0x20 == UInt8(ascii: "e"))
    }

    private mutating func skipWhitespace() {
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09 {
            index += 1
        }
    }

    private mutating func skipDigits() {
        while index < bytes.count, bytes[index] &- UInt8(ascii: "0") < 10 { index += 1 }
    }

    private mutating func peek() throws -> UInt8 {
        skipWhitespace()
        guard index < bytes.count else { throw Malformed() }
        return bytes[index]
    }

    private mutating func next() throws -> UInt8 {
        let byte = try peek()
        index += 1
        return byte
    }

    private mutating func expect(_ byte: UInt8) throws {
        guard try next() == byte else { throw Malformed() }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws {
        skipWhitespace()
        let end = index + literal.utf8CodeUnitCount
        guard end <= bytes.count, literal.withUTF8Buffer({ bytes[index..<end].elementsEqual($0) }) else { throw Malformed() }
        index = end
    }

    /// The bytes between a string's quotes, escapes left as they are.
    private mutating func readRawString() throws -> ArraySlice<UInt8> {
        try expect(UInt8(ascii: "\""))
        let start = index
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\""):
                defer { index += 1 }
                return bytes[start..<index]
            case UInt8(ascii: "\\"): index += 2
            case 0..<0x20: throw Malformed()  // control characters must be escaped
            default: index += 1
            }
        }
        throw Malformed()
    }

    private static func unescape(_ raw: ArraySlice<UInt8>) throws -> String {
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var i = raw.startIndex
        func hex4() throws -> UInt32 {
            guard raw.distance(from: i, to: raw.endIndex) > 4 else { throw Malformed() }  // i is at the `u`
            var value: UInt32 = 0
            for byte in raw[(i + 1)...(i + 4)] {
                guard let digit = hexDigit(byte) else { throw Malformed() }
                value = value << 4 | UInt32(digit)
            }
            i += 4
            return value
        }
        while i < raw.endIndex {
            let byte = raw[i]
            guard byte == UInt8(ascii: "\\") else {
                out.append(byte)
                i += 1
                continue
            }
            i += 1
            guard i < raw.endIndex else { throw Malformed() }
            switch raw[i] {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(raw[i])
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if (0xD800..<0xDC00).contains(scalar) {  // a surrogate pair: \uD83D\uDE00
                    guard raw.distance(from: i, to: raw.endIndex) > 6, raw[i + 1] == UInt8(ascii: "\\"), raw[i + 2] == UInt8(ascii: "u")
                    else { throw Malformed() }
                    i += 2
                    let low = try hex4()
                    guard (0xDC00..<0xE000).contains(low) else { throw Malformed() }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let unicode = Unicode.Scalar(scalar) else { throw Malformed() }
                UTF8.encode(unicode) { out.append($0) }
            default: throw Malformed()
            }
            i += 1
        }
        guard let string = String(validating: out, as: UTF8.self) else { throw Malformed() }
        return string
    }

    private static func hexDigit(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
