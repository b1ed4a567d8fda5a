/// The hosts a tracking link may send browsers to without a signature
/// (`--link-allow-hosts`): exact hosts, and `*.example.com` for every subdomain of
/// `example.com` (not `example.com` itself: list it too).
///
/// An unsigned link counts a click on any campaign and link its maker chooses, so the list
/// is for destinations where that is acceptable (your own shop); a link with a pixel set
/// must be signed whatever its host.
public struct LinkAllowlist: Sendable, Hashable {
    private var hosts: Set<String> = []
    /// `.example.com` for `*.example.com`.
    private var suffixes: Set<String> = []

    /// No host: every link must be signed.
    public init() {}

    /// Parses a comma-separated list such as `shop.example, *.shop.example`.
    ///
    /// - Throws: ``ParseError`` naming the entry that is not a host.
    public init(parsing text: String) throws(ParseError) {
        for entry in text.split(separator: ",") {
            let trimmed = entry.filter { $0 != " " && $0 != "\t" }
            guard !trimmed.isEmpty else { continue }
            let wildcard = trimmed.hasPrefix("*.")
            let name = wildcard ? String(trimmed.dropFirst(2)) : trimmed
            guard let destination = try? Destination(validating: "https://\(name)/"), destination.host == name.lowercased() else {
                throw ParseError(message: "\"\(trimmed)\" is not a host name or *.host name (no scheme, port or path)")
            }
            if wildcard { suffixes.insert("." + destination.host) } else { hosts.insert(destination.host) }
        }
    }

    /// Whether no host is listed.
    public var isEmpty: Bool { hosts.isEmpty && suffixes.isEmpty }

    /// Whether a validated destination's host (in lower case) is listed.
    public func allows(host: String) -> Bool {
        if hosts.contains(host) { return true }
        var dot = host.firstIndex(of: ".")
        while let index = dot {
            if suffixes.contains(String(host[index...])) { return true }
            dot = host[host.index(after: index)...].firstIndex(of: ".")
        }
        return false
    }

    /// Why a list of hosts was refused.
    public struct ParseError: Error, Hashable, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }
}
