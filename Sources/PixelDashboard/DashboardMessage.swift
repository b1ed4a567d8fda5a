import PixelCore

/// One feed message as the dashboard keeps and streams it: its kind, topic, `seq` and the
/// feed's JSON body, byte for byte.
public struct DashboardMessage: Sendable, Hashable {
    /// The SSE event name of each kind.
    public enum Kind: String, Sendable, Hashable {
        case stats, alert, heartbeat
    }

    public var kind: Kind
    /// The feed topic (`stats/c/p/`, `alerts/c/*/`, `heartbeat/`).
    public var topic: String
    public var seq: UInt64
    /// The feed's JSON body: one line.
    public var body: [UInt8]

    public init(kind: Kind, topic: String, seq: UInt64, body: [UInt8]) {
        self.kind = kind
        self.topic = topic
        self.seq = seq
        self.body = body
    }

    /// Whether a client following `prefix` gets this message (see ``DashboardPrefix``).
    func matches(_ prefix: String) -> Bool {
        switch kind {
        case .heartbeat: true
        case .stats: topic.hasPrefix(prefix)
        case .alert: DashboardPrefix.matchesAlert(topic: topic, prefix: prefix)
        }
    }
}

/// What a `prefix` query selects: stats topics that start with it, alerts whose topic
/// starts with it or whose stats counterpart does (`stats/c/` selects campaign `c`'s
/// alerts too), and every heartbeat.
enum DashboardPrefix {
    static func matchesAlert(topic: String, prefix: String) -> Bool {
        if topic.hasPrefix(prefix) { return true }
        guard prefix.hasPrefix(FeedTopic.statsPrefix), topic.hasPrefix(FeedTopic.alertsPrefix) else { return false }
        return (FeedTopic.statsPrefix + topic.dropFirst(FeedTopic.alertsPrefix.count)).hasPrefix(prefix)
    }

    /// The feed topic an alert is published on.
    static func topic(of alert: FeedAlert) -> String {
        FeedTopic.alertsPrefix + "\(alert.campaign)/\(alert.pixel ?? FeedTopic.rollupMarker)/"
    }

    /// The longest prefix accepted, as on the feed.
    static let maximumLength = 256
}
