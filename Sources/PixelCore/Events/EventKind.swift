/// What a hit records.
public enum EventKind: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    /// The pixel was loaded: a page view, an ad impression, an email open.
    case view = 0
    /// A tracking link was followed.
    case click = 1
    /// A goal was reached, possibly with a value.
    case conversion = 2
    case bot = 3

    /// Parses the names used in URLs and JSON: `view`, `click`, `conversion`.
    public init?(name: some StringProtocol) {
        switch name {
        case "view": self = .view
        case "click": self = .click
        case "conversion": self = .conversion
        case "bot": self = .bot
        default: return nil
        }
    }

    /// The name used in URLs and JSON.
    public var name: String {
        switch self {
        case .view: "view"
        case .click: "click"
        case .conversion: "conversion"
        case .bot: "bot"
        }
    }

    public var description: String { name }
}
