/// What the aggregator breaks a campaign's traffic down by: each dimension is published on
/// its own topic (``FeedTopic/segments(campaign:dimension:)``), with a row per value.
public enum SegmentDimension: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    case device = 0
    case browser = 1
    case os = 2
    case channel = 3
    case referrer = 4
    case country = 5

    /// Parses the names used in topics and options.
    public init?(name: some StringProtocol) {
        guard let dimension = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = dimension
    }

    /// The name used in topics, JSON and options.
    public var name: String {
        switch self {
        case .device: "device"
        case .browser: "browser"
        case .os: "os"
        case .channel: "channel"
        case .referrer: "referrer"
        case .country: "country"
        }
    }

    public var description: String { name }

    /// The row that gathers the values past a dimension's bound.
    public static let otherValue = "(other)"
    /// The row of hits that say nothing for a dimension (no referrer, an unknown country).
    public static let noneValue = "(none)"
}
