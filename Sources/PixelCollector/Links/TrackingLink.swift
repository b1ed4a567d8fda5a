public import PixelCore

/// A tracking link, `/r/{campaign}/{link}?to=URL[&px=SET]&sig=SIG`: the click it counts
/// (kind `click` on campaign × link), where it sends the browser, and the pixel set the
/// page on the way fires.
///
/// The signature is base64url (no padding) of HMAC-SHA256 (``LinkKeys``, domain `link`)
/// over the four fields, each a u32 big-endian length and its bytes: campaign, link,
/// ``Destination/url``, and the pixel set's name (empty without one). Lengths make the
/// encoding unambiguous: no two links share a message.
public struct TrackingLink: Sendable, Hashable {
    public var campaign: CampaignID
    public var link: PixelID
    public var destination: Destination
    public var pixelSet: PixelSetName?

    public init(campaign: CampaignID, link: PixelID, destination: Destination, pixelSet: PixelSetName? = nil) {
        self.campaign = campaign
        self.link = link
        self.destination = destination
        self.pixelSet = pixelSet
    }

    /// The signature under the first of `keys`.
    public func signature(keys: LinkKeys) -> String {
        Base64URL.encode(keys.tag(.link, message))
    }

    /// Whether `signature` is this link's under any of `keys`.
    public func isSigned(by signature: some StringProtocol, keys: LinkKeys) -> Bool {
        guard let tag = Base64URL.decode(signature), tag.count == 32 else { return false }
        return keys.verifies(.link, message, tag: tag)
    }

    /// The link's URL under `base` (such as `https://px.example.com`, no trailing slash),
    /// signed by the first of `keys`.
    public func url(base: String, keys: LinkKeys) -> String {
        var url = "\(base)/r/\(campaign)/\(link)?to=\(Self.percentEncoded(destination.url))"
        if let pixelSet { url += "&px=\(pixelSet)" }
        return url + "&sig=" + signature(keys: keys)
    }

    /// The signed message.
    private var message: [UInt8] {
        var bytes: [UInt8] = []
        for field in [campaign.rawValue, link.rawValue, destination.url, pixelSet?.rawValue ?? ""] {
            let utf8 = Array(field.utf8)
            withUnsafeBytes(of: UInt32(utf8.count).bigEndian) { bytes += $0 }
            bytes += utf8
        }
        return bytes
    }

    /// Every byte but `A-Z a-z 0-9 - . _ ~` as `%XX`, so a query value reads back as it was.
    static func percentEncoded(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var encoded: [UInt8] = []
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                encoded.append(byte)
            default:
                encoded += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            }
        }
        return String(decoding: encoded, as: UTF8.self)
    }
}
