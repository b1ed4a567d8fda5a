@testable import PixelCollector
import PixelCore
import Testing

@Suite struct ChannelRulesTests {
    @Test(arguments: [
        ("https://www.google.com/search?q=shoes", "google.com"),
        ("https://L.Facebook.com/l.php?u=x", "l.facebook.com"),
        ("http://user:pw@news.example.org:8080/a#b", "news.example.org"),
        ("android-app://com.google.android.gm/", "com.google.android.gm"),
        ("t.co/abc", "t.co"),
        ("t.co/r?u=https://elsewhere.example/", "t.co"),
        ("https://203.0.113.9/", "203.0.113.9"),
    ])
    func keepsOnlyTheHost(url: String, host: String) {
        #expect(ChannelRules.referrerHost(Array(url.utf8))?.rawValue == host)
    }

    @Test(arguments: ["", "https://", "https://exa_mple.com/", "https://[2001:db8::1]/", "https://bücher.de/"])
    func refusesWhatIsNoHostName(url: String) {
        #expect(ChannelRules.referrerHost(Array(url.utf8)) == nil)
    }

    @Test(arguments: [
        (nil, nil, nil, "direct"),
        (nil, nil, "google.de", "search"),
        (nil, nil, "google.co.uk", "search"),
        (nil, nil, "bing.com", "search"),
        (nil, nil, "duckduckgo.com", "search"),
        (nil, nil, "search.yahoo.com", "search"),
        (nil, nil, "yandex.ru", "search"),
        (nil, nil, "mail.google.com", "email"),
        (nil, nil, "mail.yahoo.com", "email"),
        (nil, nil, "outlook.live.com", "email"),
        (nil, nil, "com.google.android.gm", "email"),
        (nil, nil, "l.facebook.com", "social"),
        (nil, nil, "t.co", "social"),
        (nil, nil, "x.com", "social"),
        (nil, nil, "linkedin.com", "social"),
        (nil, nil, "pinterest.co.uk", "social"),
        (nil, nil, "news.example.org", "referral"),
        (nil, nil, "xbox.com", "referral"),
        (nil, "email", "l.facebook.com", "email"),
        ("newsletter", "email", nil, "newsletter"),
        ("facebook", "cpc", "google.com", "facebook"),
    ] as [(String?, String?, String?, String)])
    func channels(source: String?, medium: String?, referrer: String?, channel: String) {
        let value = { (text: String?) in text.map { SegmentValue(unchecked: $0) } }
        #expect(ChannelRules.channel(source: value(source), medium: value(medium), referrer: value(referrer)).rawValue == channel)
    }

    @Test func tagsAreNormalised() {
        #expect(SegmentValue(normalizing: "Facebook Ads")?.rawValue == "facebook-ads")
        #expect(SegmentValue(normalizing: "  ")?.rawValue == nil)
        #expect(SegmentValue(normalizing: "Ünïcode/Ads!!")?.rawValue == "n-code-ads")
        #expect(SegmentValue(normalizing: String(repeating: "a", count: 100))?.rawValue.count == IdentifierRules.maxLength)
    }

    @Test func aLinkTakesItsTagsFromTheDestination() {
        let tags = ChannelRules.utmTags(ofURL: "https://shop.example/p?id=1&utm_source=Instagram&utm_medium=paid%20social#top")
        #expect(tags.source?.rawValue == "instagram")
        #expect(tags.medium?.rawValue == "paid-social")
        let none = ChannelRules.utmTags(ofURL: "https://shop.example/p?utm_source=%zz")
        #expect(none.source == nil, "a malformed escape leaves the tag out")
    }

    @Test func aPixelReadsItsTagsAndReferrer() throws {
        let parsed = HitRequest.parse(
            target: "/p/c/px.gif?e=view&utm_source=Newsletter&utm_medium=email&ref=https%3A%2F%2Fwww.bing.com%2Fsearch%3Fq%3Dx",
            style: .image)
        guard case .hit(let request) = parsed else { Issue.record("refused: \(parsed)"); return }
        #expect(request.source?.rawValue == "newsletter")
        #expect(request.medium?.rawValue == "email")
        #expect(request.referrer?.rawValue == "bing.com")
        #expect(HitRequest.parse(target: "/p/c/px.gif?ref=%g0", style: .image) == .rejected(.malformedQuery))
        guard case .hit(let plain) = HitRequest.parse(target: "/p/c/px.gif", style: .image) else { Issue.record("refused"); return }
        #expect(plain.source == nil && plain.medium == nil && plain.referrer == nil)
    }
}
