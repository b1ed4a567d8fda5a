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
        return AgentText.withLowercased(userAgent, classify(lowercased:))
    }

    /// The device class of a non-empty agent, lower-cased by ``AgentText``.
    static func classify(lowercased agent: UnsafeBufferPointer<UInt8>) -> DeviceClass {
        if agent.containsAny(mail) { return .mail }
        if agent.containsAny(bots) { return .bot }
        if agent.containsAny(servers) { return .server }
        if agent.containsAny(tablets) { return .tablet }
        if agent.contains("android") && !agent.contains("mobile") { return .tablet }
        if agent.containsAny(mobiles) { return .mobile }
        return .desktop
    }
}
