/// A 32-byte CURVE (Curve25519) public or secret key.
///
/// Keys travel as 40-character Z85 text in configuration files and on the command line;
/// ``init(z85:)`` and ``z85`` convert.
public struct CurveKey: Hashable, Sendable, CustomStringConvertible {
    /// The key's 32 bytes.
    public let bytes: [UInt8]

    /// Creates a key from its binary form.
    ///
    /// - Parameter bytes: Exactly 32 bytes.
    /// - Returns: `nil` when `bytes` is not 32 bytes long.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 32 else { return nil }
        self.bytes = bytes
    }

    /// Creates a key from its Z85 text form.
    ///
    /// - Parameter z85: Exactly 40 Z85 characters.
    /// - Returns: `nil` when the text is not a valid 40-character Z85 string.
    public init?(z85: String) {
        guard z85.utf8.count == 40, let bytes = Z85.decode(z85) else { return nil }
        self.bytes = bytes
    }

    /// The key as 40 characters of Z85 text.
    public var z85: String {
        Z85.encode(bytes)!
    }

    /// The Z85 text form; never log a secret key.
    public var description: String { z85 }
}
