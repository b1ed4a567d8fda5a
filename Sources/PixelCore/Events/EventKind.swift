/// What a hit records.
public enum EventKind: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    /// The pixel was loaded: a page view, an ad impression, an email open.
    case view = 0
    /// A tracking link was followed.
    case click = 1
    /// A goal was reached, possibly with a value.
    case conversion = 2
    /// A hit from a crawler, link previewer or other robot: counted apart, never as a view,
    /// click or conversion, never with a value or a visitor.
    case bot = 3

    /// Parses the names used in URLs and JSON: `view`, `click`, `conversion`, `bot`.
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
