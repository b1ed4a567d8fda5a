/// Reading a `tcp://` endpoint as libzmq does.
public enum TCPEndpoint {
    /// The host a `tcp://` endpoint connects to: in `source;destination` form the
    /// destination's, IPv6 without its brackets; `nil` for other transports or no host.
    public static func host(in endpoint: String) -> String? {
        guard endpoint.hasPrefix("tcp://") else { return nil }
        var address = endpoint.dropFirst("tcp://".count)
        if let separator = address.lastIndex(of: ";") { address = address[address.index(after: separator)...] }
        if let colon = address.lastIndex(of: ":") { address = address[..<colon] }
        if address.hasPrefix("["), address.hasSuffix("]") { address = address.dropFirst().dropLast() }
        return address.isEmpty ? nil : String(address)
    }
}
