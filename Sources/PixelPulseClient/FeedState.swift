public import PixelCore

/// A consistent view of the feed for one prefix: the latest stats of every matching topic.
public struct FeedState: Sendable {
    /// Topic (`stats/{campaign}/{pixel}/`, `stats/{campaign}/*/`) → its latest stats.
    public var stats: [String: FeedStats] = [:]
    /// The alerts firing now, by fingerprint (for prefixes that select `alerts/…` topics).
    public var alerts: [String: FeedAlert] = [:]
    /// Topic (`segments/{campaign}/{dimension}/`) → the campaign's latest breakdown by that
    /// dimension (for prefixes that select them).
    public var segments: [String: FeedSegments] = [:]
    /// The highest `seq` applied (the snapshot's `seq` before any update).
    public var seq: UInt64 = 0
    /// The `startedAt` of the aggregator run this state comes from.
    public var startedAt: Int64 = 0
    /// The latest heartbeat.
    public var heartbeat: FeedHeartbeat?
    /// What changed with this value.
    public var event: FeedEvent = .snapshot
    /// The number of states the stream has yielded, this one included: a consumer that sees
    /// it skip a number fell behind and missed states, whose changes ``event`` does not name.
    public var serial: UInt64 = 0

    public init() {}

    /// Applies a live stats message unless the state already holds that topic at the same
    /// or a newer `seq`; returns whether it was applied.
    @discardableResult
    mutating func apply(topic: String, _ stats: FeedStats) -> Bool {
        guard stats.seq > self.stats[topic]?.seq ?? 0 else { return false }
        self.stats[topic] = stats
        seq = max(seq, stats.seq)
        return true
    }

    /// Applies a live breakdown unless the state holds that topic at the same or a newer
    /// `seq`; returns whether it was applied.
    @discardableResult
    mutating func apply(topic: String, _ breakdown: FeedSegments) -> Bool {
        guard breakdown.seq > segments[topic]?.seq ?? 0 else { return false }
        segments[topic] = breakdown
        seq = max(seq, breakdown.seq)
        return true
    }

    /// Applies a live alert: a firing one is added, a resolved one removed. Returns whether
    /// it was news (not at or below what the state already holds for its fingerprint).
    @discardableResult
    mutating func apply(_ alert: FeedAlert) -> Bool {
        guard alert.seq > alerts[alert.fingerprint]?.seq ?? 0 else { return false }
        alerts[alert.fingerprint] = alert.isFiring ? alert : nil
        seq = max(seq, alert.seq)
        return true
    }
}
