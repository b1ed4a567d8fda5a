/// The browser, app or robot a hit came from, as the collector judged from the user agent.
///
/// The raw values are part of the ingest wire format (version 3); ``name`` is what the
/// feed publishes.
public enum BrowserFamily: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    case unknown = 0
    case chrome = 1
    case safari = 2
    case firefox = 3
    case edge = 4
    case samsungInternet = 5
    case opera = 6
    /// Facebook's in-app browser.
    case facebook = 7
    /// Instagram's in-app browser.
    case instagram = 8
    case googlebot = 9
    case bingbot = 10
    case slackbot = 11
    /// Gmail's image proxy, fetching pixels in mail for its readers.
    case gmail = 12
    case appleMail = 13
    /// An agent none of the rules name.
    case other = 14

    /// The name the feed uses.
    public var name: String {
        switch self {
        case .unknown: "unknown"
        case .chrome: "chrome"
        case .safari: "safari"
        case .firefox: "firefox"
        case .edge: "edge"
        case .samsungInternet: "samsung-internet"
        case .opera: "opera"
        case .facebook: "facebook-app"
        case .instagram: "instagram-app"
        case .googlebot: "googlebot"
        case .bingbot: "bingbot"
        case .slackbot: "slackbot"
        case .gmail: "gmail"
        case .appleMail: "apple-mail"
        case .other: "other"
        }
    }

    public var description: String { name }
}
