/// Why a URL may not be a tracking link's destination (or a pixel's image).
///
/// Each rule closes a way browsers and servers read URLs differently, which would make a
/// link an open redirect: a validator that sees one host while the browser goes to another.
public enum DestinationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// No URL at all.
    case empty
    /// Over ``Destination/maxLength`` bytes.
    case tooLong
    /// A space, tab, line end, NUL or other control byte (browsers strip some of them,
    /// so `java\tscript:` is `javascript:`).
    case controlOrSpace
    /// A byte outside ASCII: a host such as `bücher.example` or `ex。com` must arrive as
    /// punycode (`xn--bcher-kva.example`), which has one reading.
    case nonASCII
    /// A backslash, which browsers read as a slash (`https://evil.example\@good.example`).
    case backslash
    /// A character a URL must percent-encode: `"`, `<`, `>`, `^`, `` ` ``, `{`, `|`, `}`.
    case unescapedCharacter
    /// A `%` not followed by two hexadecimal digits, or one that escapes a control byte.
    case badEscape
    /// No scheme: `//evil.example`, `/path`, `evil.example`.
    case notAbsolute
    /// A scheme other than `http` and `https`: `javascript:`, `data:`, `vbscript:`, `file:`.
    case scheme
    /// No `//` after the scheme: `https:evil.example`, `https:/evil.example`.
    case noAuthority
    /// A user name or password (`https://good.example@evil.example`).
    case userinfo
    /// `https:///path` or `https://:443`.
    case emptyHost
    /// A host that is not letters, digits and hyphens in dot-separated labels (a `%`, an
    /// `_`, an empty label, a trailing dot, a label over 63 bytes).
    case invalidHost
    /// A host ending in a number that is not a dotted IPv4 address `a.b.c.d` (`2130706433`,
    /// `0x7f.1`, `127.1`, `010.0.0.1`): browsers read those as other addresses.
    case numericHost
    /// An IPv6 literal (`[::1]`), which links do not take.
    case ipv6
    /// A port that is empty, not 1–65535, or written with a leading zero.
    case port

    public var description: String { "the destination \(problem)" }

    /// What is wrong, after the name of the URL (`the destination`, `the image URL`).
    public var problem: String {
        switch self {
        case .empty: "is empty"
        case .tooLong: "is over \(Destination.maxLength) bytes"
        case .controlOrSpace: "holds a space or a control byte"
        case .nonASCII: "holds bytes outside ASCII (give a host in punycode, xn--..., and percent-encode the rest)"
        case .backslash: "holds a backslash, which browsers read as a slash"
        case .unescapedCharacter: #"holds one of " < > ^ ` { | }, which a URL must percent-encode"#
        case .badEscape: "holds a % that is not an escape %XX, or escapes a control byte"
        case .notAbsolute: "is not an absolute http:// or https:// URL"
        case .scheme: "has a scheme other than http and https"
        case .noAuthority: "has no //host after its scheme"
        case .userinfo: "has a user name or password (user@host)"
        case .emptyHost: "has no host"
        case .invalidHost: "has a host that is not letters, digits and hyphens in dot-separated labels"
        case .numericHost: "has a host that is a number but not a dotted IPv4 address a.b.c.d"
        case .ipv6: "has an IPv6 address for its host, which links do not take"
        case .port: "has a port that is not 1-65535, or one with a leading zero"
        }
    }
}
