import NIOHTTP1

/// The request headers a hit needs, read in one pass over the header list.
struct HitHeaders {
    /// `User-Agent`, or empty.
    var userAgent = ""
    /// `DNT: 1` or `Sec-GPC: 1`: the visitor asked not to be tracked, so no visitor hash.
    var optedOut = false
    /// `Referer`: for a tracking link, the page the click came from.
    var referer: String?
    /// `Origin`, sent by browsers with `fetch` and beacons (not with `<img>`).
    var origin: String?
    /// A prefetch, prerender or preview, not a person's request: `Sec-Purpose: prefetch…`,
    /// `Purpose: prefetch`, `X-Moz: prefetch` or `X-Purpose: preview` (Safari's).
    var isPrefetch = false
    /// The first address of the first `X-Forwarded-For`, when asked for and well-formed:
    /// at most 45 bytes of hexadecimal digits, `.` and `:` (an IPv4 or IPv6 address).
    var forwardedFor: Substring?

    /// No headers.
    init() {}

    /// Scans the headers.
    ///
    /// - Parameters:
    ///   - headers: The request headers.
    ///   - readForwardedFor: Whether to read `X-Forwarded-For` (only behind a trusted proxy).
    init(_ headers: HTTPHeaders, readForwardedFor: Bool) {
        for (name, value) in headers {
            switch name.utf8.count {
            case 10 where Self.equalsIgnoringCase(name, "user-agent"):
                if userAgent.isEmpty { userAgent = value }
            case 6 where origin == nil && Self.equalsIgnoringCase(name, "origin"):
                origin = value
            case 7 where referer == nil && Self.equalsIgnoringCase(name, "referer"):
                referer = value
            case 3 where Self.equalsIgnoringCase(name, "dnt"):
                if Self.isOne(value) { optedOut = true }
            case 7 where Self.equalsIgnoringCase(name, "sec-gpc"):
                if Self.isOne(value) { optedOut = true }
            case 11 where Self.equalsIgnoringCase(name, "sec-purpose"), 7 where Self.equalsIgnoringCase(name, "purpose"),
                9 where Self.equalsIgnoringCase(name, "x-purpose"), 5 where Self.equalsIgnoringCase(name, "x-moz"):
                let purpose = value.lowercased()
                if purpose.hasPrefix("prefetch") || purpose.hasPrefix("preview") { isPrefetch = true }
            case 15 where readForwardedFor && forwardedFor == nil && Self.equalsIgnoringCase(name, "x-forwarded-for"):
                forwardedFor = Self.firstAddress(value)
            default:
                continue
            }
        }
    }

    /// Compares ASCII names case-insensitively; `lowercase` must be lower case.
    private static func equalsIgnoringCase(_ name: String, _ lowercase: StaticString) -> Bool {
        let pattern = UnsafeBufferPointer(start: lowercase.utf8Start, count: lowercase.utf8CodeUnitCount)
        var index = 0
        for byte in name.utf8 {
            guard index < pattern.count, byte | (byte &- 65 < 26 ? 0x20 : 0) == pattern[index] else { return false }
            index += 1
        }
        return index == pattern.count
    }

    /// Whether a header value is `1`, ignoring surrounding spaces.
    private static func isOne(_ value: String) -> Bool {
        value.utf8.lazy.filter { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") }.elementsEqual("1".utf8)
    }

    /// The first comma-separated entry, trimmed, if it looks like an IP address.
    private static func firstAddress(_ value: String) -> Substring? {
        var address = value.prefix { $0 != "," }
        while let first = address.first, first == " " || first == "\t" { address = address.dropFirst() }
        while let last = address.last, last == " " || last == "\t" { address = address.dropLast() }
        guard !address.isEmpty, address.utf8.count <= 45,
              address.utf8.allSatisfy({ $0.isHexDigitOrSeparator }) else { return nil }
        return address
    }
}

extension UInt8 {
    fileprivate var isHexDigitOrSeparator: Bool {
        switch self {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"),
            UInt8(ascii: "A")...UInt8(ascii: "F"), UInt8(ascii: "."), UInt8(ascii: ":"):
            true
        default:
            false
        }
    }
}
