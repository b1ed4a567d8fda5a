import Foundation

/// The parsed body of a `heartbeat/` message (the fields a client needs).
public struct FeedHeartbeat: Sendable, Hashable, Decodable {
    public var seq: UInt64
    public var time: Int64
    /// When the aggregator started; a new value means a new run (a restart).
    public var startedAt: Int64
    public var activeKeys: Int
    /// Events counted per second since the previous heartbeat.
    public var ingestRate: Double
    public var events: UInt64
    /// Feed messages the aggregator's PUB socket accepted before this heartbeat (`nil` from
    /// an aggregator that does not send it): compare with what was received to see losses.
    public var published: UInt64?
    /// Alerts firing now (`nil` from an aggregator that does not send it).
    public var firingAlerts: Int?

    /// Parses a JSON heartbeat body; `nil` when it is not one.
    public init?(json body: [UInt8]) {
        guard let heartbeat = try? JSONDecoder().decode(FeedHeartbeat.self, from: Data(body)) else { return nil }
        self = heartbeat
    }
}
