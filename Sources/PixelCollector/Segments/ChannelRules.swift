import PixelCore

/// Where a visit came from: the channel of a hit, and the referring host.
///
/// The channel, first rule that applies:
/// 1. the `utm_source` of the page (a pixel's `utm_source` parameter, which `p.js` copies
///    from the page's address) or of the link (its destination's query), normalised by
///    ``PixelCore/SegmentValue/init(normalizing:)``: `facebook`, `newsletter`;
/// 2. else its `utm_medium`: `cpc`, `email`;
/// 3. else from the referring host: `email` for webmail (a host whose first label is
///    `mail` or `webmail`, `outlook.live.com`, `outlook.office.com`, `outlook.office365.com`,
///    Gmail's Android app `com.google.android.gm`); `search` for search engines (a
///    `google` or `yandex` label, `bing.com`, `duckduckgo.com`, `search.yahoo.com`,
///    `baidu.com`, `ecosia.org`, `search.brave.com`, `startpage.com`, `qwant.com`);
///    `social` for social networks (`facebook.com`, `fb.com`, `instagram.com`, `t.co`,
///    `twitter.com`, `x.com`, `linkedin.com`, `lnkd.in`, `reddit.com`, a `pinterest` label,
///    `tiktok.com`, `youtube.com`, `threads.net`, `bsky.app`); `referral` for any other host;
/// 4. else `direct`.
///
/// A domain matches itself and its subdomains (`l.facebook.com` is `facebook.com`).
enum ChannelRules {
    static let direct = SegmentValue(unchecked: "direct")
    static let referral = SegmentValue(unchecked: "referral")
    static let search = SegmentValue(unchecked: "search")
    static let social = SegmentValue(unchecked: "social")
    static let email = SegmentValue(unchecked: "email")

    private static let emailHosts = ["outlook.live.com", "outlook.office.com", "outlook.office365.com", "com.google.android.gm"]
    private static let searchHosts = [
        "bing.com", "duckduckgo.com", "search.yahoo.com", "baidu.com", "ecosia.org", "search.brave.com", "startpage.com",
        "qwant.com",
    ]
    private static let searchLabels = ["google", "yandex"]
    private static let socialHosts = [
        "facebook.com", "fb.com", "instagram.com", "t.co", "twitter.com", "x.com", "linkedin.com", "lnkd.in", "reddit.com",
        "tiktok.com", "youtube.com", "threads.net", "bsky.app",
    ]

    /// The channel of a hit.
    static func channel(source: SegmentValue?, medium: SegmentValue?, referrer: SegmentValue?) -> SegmentValue {
        if let source { return source }
        if let medium { return medium }
        guard let host = referrer?.rawValue else { return direct }
        let labels = host.split(separator: ".")
        if labels.first == "mail" || labels.first == "webmail" || matches(host, emailHosts) { return email }
        if matches(host, searchHosts) || labels.contains(where: { searchLabels.contains(String($0)) }) { return search }
        if matches(host, socialHosts) || labels.contains("pinterest") { return social }
        return referral
    }

    /// Whether `host` is one of `domains` or a subdomain of one.
    private static func matches(_ host: String, _ domains: [String]) -> Bool {
        domains.contains { host == $0 || host.hasSuffix("." + $0) }
    }

    /// The host of a referring URL (`https://www.google.com/search?q=…` → `google.com`):
    /// lower case, without `www.`, user or port; `nil` when there is none or it is not a
    /// host name (an IP address counts as one).
    static func referrerHost(_ url: some Collection<UInt8>) -> SegmentValue? {
        let bytes = Array(url.prefix(2048))
        let isDelimiter = { (byte: UInt8) in byte == UInt8(ascii: "/") || byte == UInt8(ascii: "?") || byte == UInt8(ascii: "#") }
        var start = 0
        // A scheme ends in "://" before any path, query or fragment.
        if let slash = bytes.firstIndex(where: isDelimiter), slash > 0, bytes[slash - 1] == UInt8(ascii: ":"),
           slash + 1 < bytes.count, bytes[slash + 1] == UInt8(ascii: "/") {
            start = slash + 2
        }
        var end = bytes[start...].firstIndex(where: isDelimiter) ?? bytes.count
        if let at = bytes[start..<end].lastIndex(of: UInt8(ascii: "@")) { start = at + 1 }
        if let colon = bytes[start..<end].firstIndex(of: UInt8(ascii: ":")) { end = colon }
        var host = bytes[start..<end].lazy.map { $0 &- 65 < 26 ? $0 | 0x20 : $0 }
        if host.starts(with: "www.".utf8) { host = bytes[(start + 4)..<end].lazy.map { $0 &- 65 < 26 ? $0 | 0x20 : $0 } }
        let isHostByte = { (byte: UInt8) in
            byte &- 97 < 26 || byte &- 48 < 10 || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
        }
        guard !host.isEmpty, host.count <= IdentifierRules.maxLength, host.allSatisfy(isHostByte) else { return nil }
        return SegmentValue(unchecked: String(decoding: host, as: UTF8.self))
    }

    /// The `utm_source` and `utm_medium` of a URL's query, normalised; malformed escapes
    /// leave a field out.
    static func utmTags(ofURL url: String) -> (source: SegmentValue?, medium: SegmentValue?) {
        var tags: (source: SegmentValue?, medium: SegmentValue?) = (nil, nil)
        guard let question = url.firstIndex(of: "?") else { return tags }
        let query = url[url.index(after: question)...].prefix { $0 != "#" }
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, let value = decoded(parts[1]) else { continue }
            switch parts[0] {
            case "utm_source": tags.source = SegmentValue(normalizing: value)
            case "utm_medium": tags.medium = SegmentValue(normalizing: value)
            default: continue
            }
        }
        return tags
    }

    private static func decoded(_ text: Substring) -> String? {
        var text = String(text)
        return text.withUTF8 { input in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: input.count) { output in
                guard case .decoded(let count) = PercentDecoding.decode(input[...], into: output) else { return nil }
                return String(decoding: UnsafeBufferPointer(rebasing: output[0..<count]), as: UTF8.self)
            }
        }
    }
}
