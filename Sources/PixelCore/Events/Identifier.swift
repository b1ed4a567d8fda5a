/// A validated identifier: a campaign, a pixel or a collector.
///
/// Identifiers are 1 to ``maxLength`` bytes of ASCII letters, digits, `-`, `_` and `.`.
/// The rule keeps ids safe in URLs, file names and live-feed topics (which separate parts
/// with `/`), and bounds the memory an id can take.
public protocol Identifier: RawRepresentable<String>, Hashable, Sendable, Comparable,
    CustomStringConvertible, ExpressibleByStringLiteral
{
    /// Wraps a string already known to satisfy ``IdentifierRules``.
    init(unchecked rawValue: String)
}

extension Identifier {
    /// The longest identifier, in bytes.
    public static var maxLength: Int { IdentifierRules.maxLength }

    /// Validates `string` and wraps it.
    ///
    /// - Throws: ``IdentifierError`` naming the first problem.
    public init(validating string: String) throws(IdentifierError) {
        try IdentifierRules.validate(string)
        self.init(unchecked: string)
    }

    /// Validates `rawValue`; `nil` when it breaks the rules.
    public init?(rawValue: String) {
        guard (try? IdentifierRules.validate(rawValue)) != nil else { return nil }
        self.init(unchecked: rawValue)
    }

    /// A literal id; traps on an invalid literal, which is a programming error.
    public init(stringLiteral value: String) {
        do { try self.init(validating: value) } catch { preconditionFailure("\(error)") }
    }

    public var description: String { rawValue }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// The id of a campaign.
public struct CampaignID: Identifier {
    public let rawValue: String
    public init(unchecked rawValue: String) { self.rawValue = rawValue }
}

/// The id of a pixel (or tracking link) inside a campaign.
public struct PixelID: Identifier {
    public let rawValue: String
    public init(unchecked rawValue: String) { self.rawValue = rawValue }
}

/// The id a collector sends with every batch, so the aggregator can de-duplicate resends.
public struct CollectorID: Identifier {
    public let rawValue: String
    public init(unchecked rawValue: String) { self.rawValue = rawValue }
}

/// Why a string is not a valid identifier.
public enum IdentifierError: Error, Equatable, Sendable, CustomStringConvertible {
    case empty
    case tooLong(length: Int)
    case invalidByte(UInt8, offset: Int)

    public var description: String {
        switch self {
        case .empty:
            return "identifier is empty"
        case .tooLong(let length):
            return "identifier is \(length) bytes long; the limit is \(IdentifierRules.maxLength)"
        case .invalidByte(let byte, let offset):
            return "identifier has byte 0x\(String(byte, radix: 16)) at offset \(offset); "
                + "allowed are A-Z a-z 0-9 - _ ."
        }
    }
}

/// The identifier rules, on raw bytes so that decoders can check ids without a `String`.
public enum IdentifierRules {
    /// The longest identifier, in bytes.
    public static let maxLength = 64

    /// Whether `byte` may appear in an identifier.
    @inlinable
    public static func isAllowed(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"),
            UInt8(ascii: "."):
            return true
        default:
            return false
        }
    }

    /// Checks identifier bytes.
    ///
    /// - Throws: ``IdentifierError`` naming the first problem.
    public static func validate(_ bytes: some Collection<UInt8>) throws(IdentifierError) {
        guard !bytes.isEmpty else { throw .empty }
        guard bytes.count <= maxLength else { throw .tooLong(length: bytes.count) }
        for (offset, byte) in bytes.enumerated() where !isAllowed(byte) {
            throw .invalidByte(byte, offset: offset)
        }
    }

    /// Checks an identifier string.
    public static func validate(_ string: String) throws(IdentifierError) {
        try validate(string.utf8)
    }
}
