/// What a hit says about where it came from, beyond its campaign and pixel: the values the
/// aggregator breaks each campaign's traffic down by (see ``SegmentDimension``).
///
/// The device class is kept in ``HitEvent/device``, where it has always been.
public struct HitSegments: Hashable, Sendable {
    public var browser: BrowserFamily
    public var os: OperatingSystem
    /// Where the visit came from: the `utm_source` (or `utm_medium`) of the page or link,
    /// or a channel derived from the referrer (`search`, `social`, `email`, `referral`,
    /// `direct`). `nil` from collectors that do not say.
    public var channel: SegmentValue?
    /// The referring host, without `www.`; `nil` without a referrer.
    public var referrer: SegmentValue?
    /// The visitor's country, from the client address at the collector; `nil` when unknown.
    public var country: CountryCode?

    public init(
        browser: BrowserFamily = .unknown, os: OperatingSystem = .unknown, channel: SegmentValue? = nil,
        referrer: SegmentValue? = nil, country: CountryCode? = nil
    ) {
        self.browser = browser
        self.os = os
        self.channel = channel
        self.referrer = referrer
        self.country = country
    }

    /// Nothing known.
    public static let none = HitSegments()
}

/// A channel or referrer host: an ``Identifier`` (1–64 bytes of letters, digits, `-`, `_`
/// and `.`), so it travels in a batch's name table like campaign and pixel ids.
public struct SegmentValue: Identifier {
    public let rawValue: String
    public init(unchecked rawValue: String) { self.rawValue = rawValue }

    /// `text` lower-cased, with each run of bytes an identifier cannot hold replaced by
    /// `-` and cut to ``IdentifierRules/maxLength``; `nil` when nothing is left.
    public init?(normalizing text: some StringProtocol) {
        var bytes: [UInt8] = []
        for byte in text.utf8 {
            guard bytes.count < IdentifierRules.maxLength else { break }
            let lowered = byte &- 65 < 26 ? byte | 0x20 : byte
            if IdentifierRules.isAllowed(lowered) {
                bytes.append(lowered)
            } else if let last = bytes.last, last != UInt8(ascii: "-") {
                bytes.append(UInt8(ascii: "-"))
            }
        }
        while bytes.last == UInt8(ascii: "-") { bytes.removeLast() }
        guard !bytes.isEmpty else { return nil }
        self.init(unchecked: String(decoding: bytes, as: UTF8.self))
    }
}

/// An ISO 3166-1 alpha-2 country code (`DE`, `US`), two upper-case ASCII letters.
public struct CountryCode: Hashable, Sendable, CustomStringConvertible {
    /// The two letters, first in the low byte: the wire form.
    public let rawValue: UInt16

    /// The code of two ASCII letters, either case; `nil` otherwise.
    public init?(_ text: some StringProtocol) {
        let bytes = Array(text.utf8)
        guard bytes.count == 2 else { return nil }
        let upper = bytes.map { $0 & ~0x20 }
        guard upper.allSatisfy({ $0 &- 65 < 26 }) else { return nil }
        rawValue = UInt16(upper[0]) | UInt16(upper[1]) << 8
    }

    /// The code from its wire form; `nil` unless two upper-case letters.
    public init?(rawValue: UInt16) {
        let (first, second) = (UInt8(rawValue & 0xFF), UInt8(rawValue >> 8))
        guard first &- 65 < 26, second &- 65 < 26 else { return nil }
        self.rawValue = rawValue
    }

    public var description: String {
        String(decoding: [UInt8(rawValue & 0xFF), UInt8(rawValue >> 8)], as: UTF8.self)
    }
}
