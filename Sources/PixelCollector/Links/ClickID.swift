public import PixelCore

/// The id of one counted click, added to the destination as `ppclid=TOKEN`, so the
/// destination (a shop's backend) can send the conversion back with it, tied to the click.
///
/// The token is self-contained and signed: base64url without padding of
///
/// | bytes | field |
/// |---|---|
/// | 1 | version, 1 |
/// | 1 + n | campaign: length, then its bytes |
/// | 1 + n | link: length, then its bytes |
/// | 6 | click time, milliseconds since the Unix epoch, big-endian |
/// | 8 | nonce, random, big-endian |
/// | 16 | HMAC-SHA256 of everything before, under the first of the ``LinkKeys`` (domain `click`), cut to 16 bytes |
///
/// 58 characters for ids of 4 and 6 bytes; 215 at the longest. Any of the keys verifies
/// it, so click ids keep verifying while the secrets rotate.
public struct ClickID: Equatable, Sendable {
    public var campaign: CampaignID
    public var link: PixelID
    /// Click time, milliseconds since the Unix epoch (0 ..< 2⁴⁸).
    public var time: Int64
    public var nonce: UInt64

    /// The version byte of tokens made now.
    static let version: UInt8 = 1
    /// The length of the tag at the end of a token.
    static let tagLength = 16
    /// The longest token text: 161 bytes.
    static let maxTokenLength = 215

    public init(campaign: CampaignID, link: PixelID, time: Int64, nonce: UInt64) {
        self.campaign = campaign
        self.link = link
        self.time = time
        self.nonce = nonce
    }

    /// A click now, or at `time`, with a random nonce.
    public static func random(campaign: CampaignID, link: PixelID, time: Int64 = WallClock.milliseconds()) -> ClickID {
        var generator = SystemRandomNumberGenerator()
        return ClickID(campaign: campaign, link: link, time: time, nonce: generator.next())
    }

    /// The signed token.
    ///
    /// - Precondition: ``time`` is in 0 ..< 2⁴⁸.
    public func token(keys: LinkKeys) -> String {
        precondition((0..<(1 << 48)).contains(time), "a click time must be 0 ..< 2^48 ms")
        var bytes: [UInt8] = [Self.version, UInt8(campaign.rawValue.utf8.count)]
        bytes += campaign.rawValue.utf8
        bytes.append(UInt8(link.rawValue.utf8.count))
        bytes += link.rawValue.utf8
        for shift in stride(from: 40, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: time >> shift)) }
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: nonce >> UInt64(shift))) }
        bytes += keys.tag(.click, bytes, length: Self.tagLength)
        return Base64URL.encode(bytes)
    }

    /// Reads and verifies a token.
    ///
    /// - Throws: ``ClickIDError/malformed`` for text that is no token,
    ///   ``ClickIDError/unknownVersion`` for another version's, ``ClickIDError/badSignature``
    ///   for one that none of `keys` signed (forged, or changed on the way).
    public init(token: some StringProtocol, keys: LinkKeys) throws(ClickIDError) {
        guard token.utf8.count <= Self.maxTokenLength, let bytes = Base64URL.decode(token), !bytes.isEmpty else {
            throw .malformed
        }
        guard bytes[0] == Self.version else { throw .unknownVersion }
        var index = 1
        func field() throws(ClickIDError) -> ArraySlice<UInt8> {
            guard index < bytes.count else { throw .malformed }
            let length = Int(bytes[index])
            guard length > 0, index + 1 + length <= bytes.count else { throw .malformed }
            defer { index += 1 + length }
            return bytes[(index + 1)...(index + length)]
        }
        let campaign = try field()
        let link = try field()
        guard bytes.count == index + 6 + 8 + Self.tagLength else { throw .malformed }
        let signed = Array(bytes[..<(bytes.count - Self.tagLength)])
        guard keys.verifies(.click, signed, tag: bytes[(bytes.count - Self.tagLength)...]) else { throw .badSignature }
        guard (try? IdentifierRules.validate(campaign)) != nil, (try? IdentifierRules.validate(link)) != nil else { throw .malformed }
        self.campaign = CampaignID(unchecked: String(decoding: campaign, as: UTF8.self))
        self.link = PixelID(unchecked: String(decoding: link, as: UTF8.self))
        time = bytes[index..<(index + 6)].reduce(0) { $0 << 8 | Int64($1) }
        nonce = bytes[(index + 6)..<(index + 14)].reduce(0) { $0 << 8 | UInt64($1) }
    }
}

/// Why a click id token was refused.
public enum ClickIDError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Not base64url, or not a token's layout.
    case malformed
    /// A version this collector does not read.
    case unknownVersion
    /// Not signed by any of the link secrets: forged, changed, or signed by a secret since
    /// dropped.
    case badSignature

    public var description: String {
        switch self {
        case .malformed: "the click id is malformed"
        case .unknownVersion: "the click id has a version this collector does not read"
        case .badSignature: "the click id's signature does not match any link secret"
        }
    }
}
