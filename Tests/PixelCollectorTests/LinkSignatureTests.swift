@testable import PixelCollector
import PixelCore
import Testing

/// Signed links and click ids: what one secret signs, every listed secret verifies, and
/// nothing else does.
@Suite struct LinkSignatureTests {
    static let old = Array("the-old-secret-0123456789".utf8)
    static let new = Array("the-new-secret-9876543210".utf8)
    static let keys = LinkKeys(secrets: [old])

    static func link(
        campaign: CampaignID = "spring", link: PixelID = "hero", to: String = "https://shop.example/spring?a=1",
        px: PixelSetName? = nil
    ) throws -> TrackingLink {
        TrackingLink(campaign: campaign, link: link, destination: try Destination(validating: to), pixelSet: px)
    }

    @Test func aLinkVerifiesOnlyWithWhatWasSigned() throws {
        let signed = try Self.link(px: "spring")
        let signature = signed.signature(keys: Self.keys)
        #expect(signature.count == 43)
        #expect(signature.utf8.allSatisfy { $0 != UInt8(ascii: "=") && $0 != UInt8(ascii: "+") && $0 != UInt8(ascii: "/") })
        #expect(signed.isSigned(by: signature, keys: Self.keys))
        for tampered in [
            try Self.link(campaign: "spring2", px: "spring"), try Self.link(link: "hero2", px: "spring"),
            try Self.link(to: "https://shop.example/spring?a=2", px: "spring"), try Self.link(to: "https://evil.example/spring?a=1", px: "spring"),
            try Self.link(px: "autumn"), try Self.link(px: nil),
        ] {
            #expect(!tampered.isSigned(by: signature, keys: Self.keys), "\(tampered)")
        }
        // Moving bytes between fields changes the message: the lengths are signed too.
        #expect(!(try Self.link(campaign: "sprin", link: "ghero", px: "spring")).isSigned(by: signature, keys: Self.keys))
        var flipped = Array(signature.utf8)
        flipped[5] = flipped[5] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        #expect(!signed.isSigned(by: String(decoding: flipped, as: UTF8.self), keys: Self.keys))
        for bad in ["", String(signature.dropLast()), signature + "A", signature + "=", "not base64!"] {
            #expect(!signed.isSigned(by: bad, keys: Self.keys), "\(bad)")
        }
        #expect(!signed.isSigned(by: signature, keys: LinkKeys(secrets: [Self.new])))
    }

    /// New links are signed with the new secret while links signed with the old one keep
    /// working, as long as the old one is still listed.
    @Test func rotatedSecretsKeepOldLinksWorking() throws {
        let link = try Self.link()
        let oldSignature = link.signature(keys: Self.keys)
        let rotated = LinkKeys(secrets: [Self.new, Self.old])
        #expect(link.isSigned(by: oldSignature, keys: rotated))
        let newSignature = link.signature(keys: rotated)
        #expect(newSignature != oldSignature)
        #expect(link.isSigned(by: newSignature, keys: LinkKeys(secrets: [Self.new])))
        #expect(!link.isSigned(by: oldSignature, keys: LinkKeys(secrets: [Self.new])))
    }

    @Test func theLinkURLEncodesTheDestinationSoItReadsBack() throws {
        let link = try Self.link(to: "https://shop.example/s?a=1&b=%20c#f", px: "spring")
        let url = link.url(base: "https://px.example", keys: Self.keys)
        #expect(url == "https://px.example/r/spring/hero?to=https%3A%2F%2Fshop.example%2Fs%3Fa%3D1%26b%3D%2520c%23f&px=spring&sig="
            + link.signature(keys: Self.keys))
        guard case .link(let parsed) = LinkRequest.parse(target: String(url.dropFirst("https://px.example".count))) else {
            Issue.record("refused")
            return
        }
        #expect(parsed.link == link)
        #expect(parsed.signature.map { link.isSigned(by: $0, keys: Self.keys) } == true)
    }

    @Test func aClickIDRoundTrips() throws {
        let click = ClickID(campaign: "spring", link: "hero", time: 1_764_384_000_123, nonce: 0xDEAD_BEEF_0123_4567)
        let token = click.token(keys: Self.keys)
        #expect(token.count == 58)
        #expect(try ClickID(token: token, keys: Self.keys) == click)
        #expect(try ClickID(token: token, keys: LinkKeys(secrets: [Self.new, Self.old])) == click)
        let longest = ClickID(
            campaign: CampaignID(unchecked: String(repeating: "c", count: 64)), link: PixelID(unchecked: String(repeating: "l", count: 64)),
            time: (1 << 48) - 1, nonce: .max)
        let longToken = longest.token(keys: Self.keys)
        #expect(longToken.count == ClickID.maxTokenLength)
        #expect(try ClickID(token: longToken, keys: Self.keys) == longest)
        let random = ClickID.random(campaign: "c", link: "l")
        #expect(random.nonce != ClickID.random(campaign: "c", link: "l").nonce)
    }

    @Test func aChangedForgedCutOrOtherVersionClickIDIsRefused() throws {
        let click = ClickID(campaign: "spring", link: "hero", time: 1_764_384_000_123, nonce: 42)
        let bytes = try #require(Base64URL.decode(click.token(keys: Self.keys)))
        for index in 1..<bytes.count {
            var changed = bytes
            changed[index] ^= 0x01
            #expect(throws: ClickIDError.self, "byte \(index)") { try ClickID(token: Base64URL.encode(changed), keys: Self.keys) }
        }
        // Bytes inside the fields: a valid layout whose tag no longer matches.
        for index in [3, 10, 20, 30, bytes.count - 1] {
            var changed = bytes
            changed[index] ^= 0x02
            #expect(throws: ClickIDError.badSignature, "byte \(index)") { try ClickID(token: Base64URL.encode(changed), keys: Self.keys) }
        }
        #expect(throws: ClickIDError.badSignature) { try ClickID(token: click.token(keys: LinkKeys(secrets: [Self.new])), keys: Self.keys) }
        for length in 0..<bytes.count {
            #expect(throws: ClickIDError.self, "cut to \(length)") { try ClickID(token: Base64URL.encode(bytes[..<length]), keys: Self.keys) }
        }
        #expect(throws: ClickIDError.malformed) { try ClickID(token: Base64URL.encode(bytes.prefix(10)), keys: Self.keys) }
        #expect(throws: ClickIDError.malformed) { try ClickID(token: Base64URL.encode(bytes + [0]), keys: Self.keys) }
        var version2 = bytes
        version2[0] = 2
        #expect(throws: ClickIDError.unknownVersion) { try ClickID(token: Base64URL.encode(version2), keys: Self.keys) }
        for text in ["", "!!!!", "a", String(repeating: "A", count: 300), click.token(keys: Self.keys) + "="] {
            #expect(throws: ClickIDError.malformed, "\(text)") { try ClickID(token: text, keys: Self.keys) }
        }
        // A link's signature is no click id tag: the domains differ.
        #expect(ClickIDError.badSignature.description == "the click id's signature does not match any link secret")
    }

    @Test func base64URLHasOneTextPerValue() {
        for count in 0..<20 {
            let bytes = (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 250) }
            #expect(Base64URL.decode(Base64URL.encode(bytes)) == bytes)
        }
        #expect(Base64URL.encode(Array("hello?>".utf8)) == "aGVsbG8_Pg")
        #expect(Base64URL.decode("aGVsbG8_Ph") == nil, "leftover bits")
        #expect(Base64URL.decode("aGVsbG8_Pg==") == nil, "padding")
        #expect(Base64URL.decode("aGVsbG8/Pg") == nil, "the standard alphabet")
        #expect(Base64URL.decode("a") == nil)
    }
}
