/// The origins whose pages may use the collector's answers from scripts: which
/// cross-origin requests (CORS) the pixel routes and `/p.js` accept.
///
/// CORS does not decide what is counted. A request that needs no preflight (an `<img>`, a
/// `text/plain` beacon) reaches the collector from any page and counts; the browser only
/// hides the answer from a page whose origin is not allowed. What the list does decide is
/// whether a browser sends the requests that need a preflight at all (a beacon with a JSON
/// `Blob`, a `fetch` with a `Content-Type` of its own): a preflight from an origin not
/// allowed is answered `403`, and the request it announced is never sent.
///
/// An allowed origin is echoed in `Access-Control-Allow-Origin`, with
/// `Access-Control-Allow-Credentials: true` and `Vary: Origin`, never `*`: `sendBeacon`
/// always sends in the credentials mode `include`, and browsers refuse `*` for those.
/// This is safe because nothing the collector answers depends on cookies: it sets none,
/// reads none, and its answers (a GIF, `204`, a public script) hold nothing to steal.
public enum AllowedOrigins: Sendable, Hashable {
    /// Every origin (`*`), the default: pixels are public, write-only endpoints, meant to be
    /// put in any page.
    case any
    /// Only these origins, each `scheme://host[:port]` in lower case.
    case only(Set<String>)

    /// The longest `Origin` header value ever echoed, in bytes.
    static let maxOriginLength = 256

    /// Parses `*`, or a comma-separated list of origins such as
    /// `https://shop.example, https://www.shop.example:8443`.
    ///
    /// - Throws: ``ParseError`` naming the entry that is not an origin.
    public init(parsing text: String) throws(ParseError) {
        let entries = text.split(separator: ",").map { $0.trimmingASCIISpaces() }.filter { !$0.isEmpty }
        if entries == ["*"] {
            self = .any
            return
        }
        guard !entries.isEmpty else { throw ParseError(message: "give * or a comma-separated list of origins") }
        var origins: Set<String> = []
        for entry in entries {
            guard entry != "*" else { throw ParseError(message: "* stands alone: it allows every origin") }
            guard let origin = Self.normalizedOrigin(entry) else {
                throw ParseError(message: "\"\(entry)\" is not an origin: give scheme://host[:port], no path, such as https://shop.example")
            }
            origins.insert(origin)
        }
        self = .only(origins)
    }

    /// Whether a page of `origin` (an `Origin` header value) may use the answers.
    ///
    /// A value that could not be echoed safely, one over ``maxOriginLength`` bytes or with a
    /// byte outside printable ASCII, is never allowed; with ``any`` every other one is,
    /// `null` (a sandboxed frame, a `file:` page) included.
    public func allows(_ origin: String) -> Bool {
        guard origin.utf8.count <= Self.maxOriginLength,
              origin.utf8.allSatisfy({ (0x21...0x7e).contains($0) }) else { return false }
        switch self {
        case .any: return true
        case .only(let origins): return origins.contains(origin.lowercased())
        }
    }

    /// `scheme://authority` in lower case, without the scheme's default port (browsers leave
    /// it out), or `nil` when `text` is not that.
    private static func normalizedOrigin(_ text: String) -> String? {
        let lower = text.lowercased()
        guard let separator = lower.firstRange(of: "://") else { return nil }
        let scheme = lower[..<separator.lowerBound]
        let authority = lower[separator.upperBound...]
        guard let first = scheme.utf8.first, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first),
              scheme.utf8.allSatisfy({ $0.isSchemeByte }),
              !authority.isEmpty, authority.utf8.allSatisfy({ $0.isAuthorityByte }),
              authority.utf8.count + scheme.utf8.count + 3 <= maxOriginLength
        else { return nil }
        if let colon = authority.lastIndex(of: ":"), !authority.hasSuffix("]") {
            guard let port = Int(authority[authority.index(after: colon)...]), (1...65_535).contains(port) else { return nil }
            if (scheme == "https" && port == 443) || (scheme == "http" && port == 80) {
                return "\(scheme)://\(authority[..<colon])"
            }
        }
        return lower
    }

    /// Why a list of origins was refused.
    public struct ParseError: Error, Hashable, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }
}

extension UInt8 {
    /// `a-z 0-9 + - .`, after the first letter of a scheme.
    fileprivate var isSchemeByte: Bool {
        switch self {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."):
            true
        default:
            false
        }
    }

    /// A host name, an IP literal in brackets, and a port: no path, query, user or space.
    fileprivate var isAuthorityByte: Bool {
        switch self {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: ":"), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "_"):
            true
        default:
            false
        }
    }
}

extension Substring {
    fileprivate func trimmingASCIISpaces() -> String {
        var text = self
        while let first = text.first, first == " " || first == "\t" { text = text.dropFirst() }
        while let last = text.last, last == " " || last == "\t" { text = text.dropLast() }
        return String(text)
    }
}
