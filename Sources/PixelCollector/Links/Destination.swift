/// An absolute `http` or `https` URL that a tracking link may send a browser to, or that a
/// pixel set may load as an image: validated so that what the collector reads as its host
/// is the host every browser goes to.
///
/// The rules (each refusal is a ``DestinationError``): at most ``maxLength`` bytes of
/// printable ASCII; no backslash and none of the characters a URL must percent-encode; every
/// `%` an escape `%XX` of a printable byte; the scheme `http` or `https` (any case) followed
/// by `//`; no user name or password; a host of letters, digits and hyphens in dot-separated
/// labels (1–63 bytes each, 253 in all, no trailing dot; non-ASCII names as punycode
/// `xn--…`), or a dotted IPv4 address in its one canonical form; no IPv6 literal; a port, if
/// any, 1–65535 without a leading zero. Path, query and fragment are kept as they are.
///
/// ``url`` is the URL re-serialised: scheme and host in lower case, the rest verbatim. It
/// holds no byte that could end a header line or an HTML attribute unescaped.
public struct Destination: Sendable, Hashable {
    /// The longest URL taken, in bytes.
    public static let maxLength = 2048

    /// The URL to send the browser to.
    public let url: String
    /// The host, in lower case.
    public let host: String
    /// `scheme://host[:port]`, in lower case.
    public let origin: String

    /// Validates an absolute URL.
    ///
    /// - Throws: ``DestinationError`` naming the rule it breaks.
    public init(validating text: some StringProtocol) throws(DestinationError) {
        try self.init(validating: Array(text.utf8))
    }

    /// Validates the bytes of an absolute URL.
    init(validating bytes: [UInt8]) throws(DestinationError) {
        guard !bytes.isEmpty else { throw .empty }
        guard bytes.count <= Self.maxLength else { throw .tooLong }
        try Self.checkCharacters(bytes)

        // Scheme: a letter, then letters, digits, + - . up to the first colon.
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")), colon > 0, bytes[0].isLetter,
              bytes[..<colon].allSatisfy({ $0.isLetter || $0.isDigit || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") })
        else { throw .notAbsolute }
        let scheme = String(decoding: bytes[..<colon].map(\.lowercased), as: UTF8.self)
        guard scheme == "http" || scheme == "https" else { throw .scheme }
        guard bytes.count >= colon + 3, bytes[colon + 1] == UInt8(ascii: "/"), bytes[colon + 2] == UInt8(ascii: "/") else {
            throw .noAuthority
        }

        // Authority: up to the path, query or fragment.
        let authorityStart = colon + 3
        let authorityEnd = bytes[authorityStart...].firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") }
            ?? bytes.endIndex
        let authority = bytes[authorityStart..<authorityEnd]
        guard !authority.contains(UInt8(ascii: "@")) else { throw .userinfo }
        guard authority.first != UInt8(ascii: "[") else { throw .ipv6 }
        var hostEnd = authorityEnd
        var port: Int?
        if let portColon = authority.firstIndex(of: UInt8(ascii: ":")) {
            port = try Self.port(bytes[(portColon + 1)..<authorityEnd])
            hostEnd = portColon
        }
        let host = String(decoding: bytes[authorityStart..<hostEnd].map(\.lowercased), as: UTF8.self)
        try Self.checkHost(Array(host.utf8))

        self.host = host
        self.origin = "\(scheme)://\(host)" + (port.map { ":\($0)" } ?? "")
        self.url = origin + String(decoding: bytes[authorityEnd...], as: UTF8.self)
    }

    /// `url` with `ppclid=token` added to its query, before any fragment.
    public func addingClickID(_ token: String) -> String {
        let bytes = Array(url.utf8)
        let end = bytes.firstIndex(of: UInt8(ascii: "#")) ?? bytes.endIndex
        var added = Array(bytes[..<end])
        if !added.contains(UInt8(ascii: "?")) {
            added.append(UInt8(ascii: "?"))
        } else if added.last != UInt8(ascii: "?"), added.last != UInt8(ascii: "&") {
            added.append(UInt8(ascii: "&"))
        }
        added += "ppclid=".utf8
        added += token.utf8
        added += bytes[end...]
        return String(decoding: added, as: UTF8.self)
    }

    /// Printable ASCII only, without the characters a URL must escape, and well-formed
    /// escapes of printable bytes.
    private static func checkCharacters(_ bytes: [UInt8]) throws(DestinationError) {
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte >= 0x80 { throw .nonASCII }
            if byte <= 0x20 || byte == 0x7F { throw .controlOrSpace }
            switch byte {
            case UInt8(ascii: "\\"):
                throw .backslash
            case UInt8(ascii: "\""), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "^"), UInt8(ascii: "`"),
                UInt8(ascii: "{"), UInt8(ascii: "|"), UInt8(ascii: "}"):
                throw .unescapedCharacter
            case UInt8(ascii: "%"):
                guard index + 2 < bytes.count, let high = PercentDecoding.hexValue(bytes[index + 1]),
                      let low = PercentDecoding.hexValue(bytes[index + 2]) else {
                    throw .badEscape
                }
                let escaped = high << 4 | low
                guard escaped > 0x1F, escaped != 0x7F else { throw .badEscape }
                index += 2
            default:
                break
            }
            index += 1
        }
    }

    /// 1–65535, digits only, no leading zero.
    private static func port(_ digits: ArraySlice<UInt8>) throws(DestinationError) -> Int {
        guard (1...5).contains(digits.count), digits.allSatisfy(\.isDigit), digits.first != UInt8(ascii: "0"),
              let port = Int(String(decoding: digits, as: UTF8.self)), port <= 65_535
        else { throw .port }
        return port
    }

    /// A host name of LDH labels, or a canonical dotted IPv4 address.
    private static func checkHost(_ host: [UInt8]) throws(DestinationError) {
        guard !host.isEmpty else { throw .emptyHost }
        guard host.count <= 253, host.allSatisfy({ $0.isLetter || $0.isDigit || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") })
        else { throw .invalidHost }
        let labels = host.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        for label in labels {
            guard (1...63).contains(label.count), label.first != UInt8(ascii: "-"), label.last != UInt8(ascii: "-") else {
                throw .invalidHost
            }
        }
        // Browsers read a host whose last label is a number (decimal, or 0x… hex) as an IPv4
        // address in any of several forms; only the dotted decimal one reads one way.
        let last = labels[labels.count - 1]
        guard last.allSatisfy(\.isDigit) || (last.count >= 2 && last.starts(with: "0x".utf8)) else { return }
        guard labels.count == 4, labels.allSatisfy({ octet in
            octet.allSatisfy(\.isDigit) && (octet.count == 1 || octet.first != UInt8(ascii: "0"))
                && octet.count <= 3 && Int(String(decoding: octet, as: UTF8.self))! <= 255
        }) else { throw .numericHost }
    }
}

extension UInt8 {
    fileprivate var isLetter: Bool { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(self | 0x20) }
    fileprivate var isDigit: Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self) }
    fileprivate var lowercased: UInt8 { self &- 65 < 26 ? self | 0x20 : self }
}
