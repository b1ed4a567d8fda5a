import PixelCore

/// What one request or stream reads, from its query: stats topics under any of its
/// `prefix`es and the alerts of those keys (`alerts/` selects every alert), plus every
/// campaign's rollup with `rollups=true`. Heartbeats always come. No `prefix` and no
/// `rollups`: everything.
public struct DashboardSelection: Sendable, Hashable {
    public var prefixes: [String]
    public var rollups: Bool

    /// The longest prefix accepted, as on the feed.
    public static let maximumPrefixLength = 256
    /// The most prefixes one selection may name.
    public static let maximumPrefixes = 64

    public static let everything = DashboardSelection(prefixes: [""], rollups: false)

    public init(prefixes: [String], rollups: Bool) {
        self.prefixes = prefixes.isEmpty && !rollups ? [""] : prefixes
        self.rollups = rollups
    }

    /// Whether the stats of `topic` are selected.
    func matchesStats(topic: String) -> Bool {
        if rollups, Self.isRollup(topic) { return true }
        return prefixes.contains { topic.hasPrefix($0) }
    }

    /// Whether an alert published on `topic` (`alerts/c/p/`) is selected: its topic is under
    /// a prefix, or the stats topic of its key is selected.
    func matchesAlert(topic: String) -> Bool {
        if prefixes.contains(where: { topic.hasPrefix($0) }) { return true }
        guard topic.hasPrefix(FeedTopic.alertsPrefix) else { return false }
        return matchesStats(topic: FeedTopic.statsPrefix + topic.dropFirst(FeedTopic.alertsPrefix.count))
    }

    func matches(_ message: DashboardMessage) -> Bool {
        switch message.kind {
        case .heartbeat: true
        case .stats: matchesStats(topic: message.topic)
        case .alert: matchesAlert(topic: message.topic)
        }
    }

    /// A campaign rollup's stats topic: `stats/c/*/`.
    static func isRollup(_ topic: String) -> Bool {
        topic.utf8.count > 3 && topic.utf8.suffix(3).elementsEqual("/*/".utf8)
    }

    /// The feed topic an alert is published on.
    static func topic(of alert: FeedAlert) -> String {
        FeedTopic.alerts(campaign: CampaignID(unchecked: alert.campaign), pixel: alert.pixel.map { PixelID(unchecked: $0) })
    }
}
