import PixelCore

/// Judges the device class of a hit from its `User-Agent`, with cheap substring rules.
///
/// The rules, first match wins, case-insensitive, on the first 512 bytes of the agent:
///
/// 1. empty → ``DeviceClass/unknown``;
/// 2. mail image proxies and mail clients (`GoogleImageProxy`, `ggpht.com`,
///    `YahooMailProxy`, `Thunderbird`, `Microsoft Outlook`) → ``DeviceClass/mail``;
/// 3. crawlers, link previewers, monitors and headless browsers (`bot` — Googlebot,
///    bingbot, Applebot, Slackbot, Twitterbot, LinkedInBot, Discordbot, TelegramBot,
///    Facebot, redditbot, Pinterestbot and the like — `crawl`, `spider`, `slurp`, `preview`
///    — BingPreview, SkypeUriPreview —, `facebookexternalhit`, `whatsapp/`, `embedly`,
///    `iframely`, `vkshare`, `headless`, `lighthouse`, `pingdom`, `uptime`) →
///    ``DeviceClass/bot``;
/// 4. HTTP libraries (`curl/`, `wget/`, `python-`, `go-http-client`, `okhttp`, `java/`) →
///    ``DeviceClass/server``: servers fire pixels and follow links on behalf of people
///    (a shop's backend, a mail sender's proxy), so they count, unlike bots;
/// 5. `iPad`, `tablet`, `Kindle`, `Silk/`, or `Android` without `Mobile` →
///    ``DeviceClass/tablet``;
/// 6. `Mobile`, `iPhone`, `iPod`, `Android`, `Windows Phone`, `Opera Mini`,
///    `BlackBerry` → ``DeviceClass/mobile``;
/// 7. anything else → ``DeviceClass/desktop``.
///
/// A hit whose class is ``DeviceClass/bot`` is recorded as an `EventKind.bot`, never as
/// a view or a click (see ``HitRecorder``).
enum DeviceClassifier {
    /// How much of the agent is examined; real agents are far shorter.
    static let examinedLength = 512

    private static let mail: [StaticString] = [
        "googleimageproxy", "ggpht.com", "yahoomailproxy", "thunderbird", "microsoft outlook",
    ]
    private static let bots: [StaticString] = [
        "bot", "crawl", "spider", "slurp", "preview", "facebookexternalhit", "whatsapp/", "embedly", "iframely",
        "vkshare", "headless", "lighthouse", "pingdom", "uptime",
    ]
    private static let servers: [StaticString] = ["curl/", "wget/", "python-", "go-http-client", "okhttp", "java/"]
    private static let tablets: [StaticString] = ["ipad", "tablet", "kindle", "silk/"]
    private static let mobiles: [StaticString] = [
        "mobile", "iphone", "ipod", "android", "windows phone", "opera mini", "blackberry",
    ]

    /// The device class of a user agent.
    static func classify(_ userAgent: String) -> DeviceClass {
        if userAgent.isEmpty { return .unknown }
        var userAgent = userAgent
        return userAgent.withUTF8 { utf8 in
            let count = min(utf8.count, examinedLength)
            return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: count) { lowered in
                for index in 0..<count {
                    let byte = utf8[index]
                    lowered[index] = byte &- 65 < 26 ? byte | 0x20 : byte
                }
                return classify(lowercased: UnsafeBufferPointer(lowered))
            }
        }
    }

    private static func classify(lowercased agent: UnsafeBufferPointer<UInt8>) -> DeviceClass {
        if containsAny(agent, mail) { return .mail }
        if containsAny(agent, bots) { return .bot }
        if containsAny(agent, servers) { return .server }
        if containsAny(agent, tablets) { return .tablet }
        if contains(agent, "android") && !contains(agent, "mobile") { return .tablet }
        if containsAny(agent, mobiles) { return .mobile }
        return .desktop
    }

    private static func containsAny(_ haystack: UnsafeBufferPointer<UInt8>, _ needles: [StaticString]) -> Bool {
        for needle in needles where contains(haystack, needle) { return true }
        return false
    }

    private static func contains(_ haystack: UnsafeBufferPointer<UInt8>, _ needle: StaticString) -> Bool {
        let count = needle.utf8CodeUnitCount
        guard count > 0, haystack.count >= count else { return count == 0 }
        let pattern = needle.utf8Start
        let first = pattern[0]
        var start = 0
        while start <= haystack.count - count {
            if haystack[start] == first {
                var offset = 1
                while offset < count, haystack[start + offset] == pattern[offset] { offset += 1 }
                if offset == count { return true }
            }
            start += 1
        }
        return false
    }
}
