/// A 64-bit fingerprint of a client-supplied event id, used to de-duplicate hits.
///
/// Clients send event ids as text (`id=` on a pixel, `event_id` in a conversion report).
/// The collector keeps only this fingerprint: FNV-1a over the UTF-8 bytes, 64 bits. Two
/// distinct ids collide with probability about n²/2⁶⁵ for n ids in the de-duplication
/// horizon.
public struct EventID: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt64

    /// The longest event id text accepted, in bytes.
    public static let maxTextLength = 128

    public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// Fingerprints event id text; `nil` when it is empty or longer than ``maxTextLength``.
    public init?(text: some StringProtocol) {
        let utf8 = text.utf8
        guard !utf8.isEmpty, utf8.count <= Self.maxTextLength else { return nil }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        self.rawValue = hash
    }

    public var description: String {
        let hex = String(rawValue, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
