import PixelCore

/// What a user agent says about the device, browser and operating system behind a hit.
struct AgentTraits: Equatable, Sendable {
    var device: DeviceClass
    var browser: BrowserFamily
    var os: OperatingSystem

    /// An empty agent.
    static let unknown = AgentTraits(device: .unknown, browser: .unknown, os: .unknown)
}

/// Reads device class (``DeviceClassifier``), browser family and operating system from a
/// `User-Agent`, in one pass of cheap substring rules over its first 512 bytes,
/// case-insensitive; first match wins.
///
/// Browser family:
/// 1. robots and mail proxies by name: `googlebot` → ``BrowserFamily/googlebot``;
///    `bingbot`, `bingpreview` → ``BrowserFamily/bingbot``; `slackbot`, `slack-imgproxy`
///    → ``BrowserFamily/slackbot``; `googleimageproxy` (Gmail's) → ``BrowserFamily/gmail``;
/// 2. in-app browsers, which also claim Safari or Chrome: `instagram` →
///    ``BrowserFamily/instagram``; `fban/`, `fbav/`, `fb_iab` → ``BrowserFamily/facebook``;
/// 3. browsers that also claim Chrome, before it: `samsungbrowser/` →
///    ``BrowserFamily/samsungInternet``; `opr/`, `opera`, `opios/` → ``BrowserFamily/opera``;
///    `edg/`, `edge/`, `edga/`, `edgios/` → ``BrowserFamily/edge``;
/// 4. `firefox/`, `fxios/` → ``BrowserFamily/firefox``; `chrome/`, `crios/`, `chromium/` →
///    ``BrowserFamily/chrome``; `safari/` → ``BrowserFamily/safari``;
/// 5. `applewebkit` on an `iphone`, `ipad` or `macintosh` with no browser token:
///    ``BrowserFamily/appleMail`` (Apple Mail sends the bare WebKit agent; so does an iOS
///    app's web view that names no app, which counts here too);
/// 6. anything else → ``BrowserFamily/other``; an empty agent → ``BrowserFamily/unknown``.
///
/// Operating system: `windows` → windows; `iphone`, `ipad`, `ipod`, `cpu os` → iOS;
/// `android` → Android (before Linux, which Android agents also name); `cros` → ChromeOS;
/// `macintosh`, `mac os x` → macOS; `linux`, `x11` → Linux; anything else → other.
enum UserAgentParser {
    private static let facebook: [StaticString] = ["fban/", "fbav/", "fb_iab"]
    private static let opera: [StaticString] = ["opr/", "opera", "opios/"]
    private static let edge: [StaticString] = ["edg/", "edge/", "edga/", "edgios/"]
    private static let firefox: [StaticString] = ["firefox/", "fxios/"]
    private static let chrome: [StaticString] = ["chrome/", "crios/", "chromium/"]
    private static let appleDevices: [StaticString] = ["iphone", "ipad", "macintosh"]
    private static let iOS: [StaticString] = ["iphone", "ipad", "ipod", "cpu os"]
    private static let macOS: [StaticString] = ["macintosh", "mac os x"]
    private static let linux: [StaticString] = ["linux", "x11"]

    /// The traits of a user agent.
    static func parse(_ userAgent: String) -> AgentTraits {
        if userAgent.isEmpty { return .unknown }
        return AgentText.withLowercased(userAgent) { agent in
            AgentTraits(device: DeviceClassifier.classify(lowercased: agent), browser: browser(agent), os: os(agent))
        }
    }

    private static func browser(_ agent: UnsafeBufferPointer<UInt8>) -> BrowserFamily {
        if agent.contains("googlebot") { return .googlebot }
        if agent.contains("bingbot") || agent.contains("bingpreview") { return .bingbot }
        if agent.contains("slackbot") || agent.contains("slack-imgproxy") { return .slackbot }
        if agent.contains("googleimageproxy") { return .gmail }
        if agent.contains("instagram") { return .instagram }
        if agent.containsAny(facebook) { return .facebook }
        if agent.contains("samsungbrowser/") { return .samsungInternet }
        if agent.containsAny(opera) { return .opera }
        if agent.containsAny(edge) { return .edge }
        if agent.containsAny(firefox) { return .firefox }
        if agent.containsAny(chrome) { return .chrome }
        if agent.contains("safari/") { return .safari }
        if agent.contains("applewebkit") && agent.containsAny(appleDevices) { return .appleMail }
        return .other
    }

    private static func os(_ agent: UnsafeBufferPointer<UInt8>) -> OperatingSystem {
        if agent.contains("windows") { return .windows }
        if agent.containsAny(iOS) { return .iOS }
        if agent.contains("android") { return .android }
        if agent.contains("cros") { return .chromeOS }
        if agent.containsAny(macOS) { return .macOS }
        if agent.containsAny(linux) { return .linux }
        return .other
    }
}
