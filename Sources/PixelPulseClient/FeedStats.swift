import Foundation

/// The parsed body of a `stats/…` message, live or from a snapshot.
public struct FeedStats: Sendable, Hashable, Decodable {
    /// The message's `seq`: for a snapshot body, the feed's `seq` when the key was read.
    public var seq: UInt64
    /// The aggregator's clock, ms since the Unix epoch.
    public var time: Int64
    public var campaign: String
    /// `nil` for a campaign's rollup.
    public var pixel: String?
    /// Window name (`1m`, `1h`…) → its counts.
    public var windows: [String: WindowStats]

    /// Parses a JSON stats body; `nil` when it is not one.
    public init?(json body: [UInt8]) {
        guard let stats = try? JSONDecoder().decode(FeedStats.self, from: Data(body)) else { return nil }
        self = stats
    }
}
