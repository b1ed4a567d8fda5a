public import PixelCore
import PixelPulseClient

/// What the dashboard knows of the feed: the stats of every topic, the alerts firing, the
/// last heartbeat, and whether the feed has gone quiet.
public struct DashboardState: Sendable {
    public var seq: UInt64 = 0
    public var startedAt: Int64 = 0
    /// When the feed last had news (ms since the epoch), once it has been silent for the
    /// feed client's silence timeout; `nil` while it is live.
    public var staleSince: Int64?
    public var heartbeat: FeedHeartbeat?
    /// Topic → its latest stats.
    public var stats: [String: FeedStats] = [:]
    /// Fingerprint → a firing alert.
    public var alerts: [String: FeedAlert] = [:]
    /// Whether a first snapshot has arrived.
    public var isLoaded = false

    public init() {}

    /// A state taken from a feed client's complete state.
    init(_ state: FeedState) {
        seq = state.seq
        startedAt = state.startedAt
        heartbeat = state.heartbeat
        stats = state.stats
        alerts = state.alerts
        isLoaded = true
    }

    /// Applies one message received live.
    mutating func apply(_ message: DashboardMessage) {
        seq = max(seq, message.seq)
        switch message.kind {
        case .stats: if let body = FeedStats(json: message.body) { stats[message.topic] = body }
        case .alert:
            if let alert = FeedAlert(json: message.body) { alerts[alert.fingerprint] = alert.isFiring ? alert : nil }
        case .heartbeat: heartbeat = FeedHeartbeat(json: message.body)
        }
    }

    /// The JSON document of `GET /v1/state` and of the `state` event, for `prefix`:
    /// `{"seq":S,"startedAt":…,"stale":bool,"heartbeat":{…}|null,"stats":[…],"alerts":[…]}`,
    /// stats in topic order, alerts in fingerprint order, each body as the feed sent it.
    public func document(prefix: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256 + stats.count * 600)
        out += Array("{\"seq\":\(seq),\"startedAt\":\(startedAt),\"stale\":\(staleSince != nil || !isLoaded),\"heartbeat\":".utf8)
        out += heartbeat.map { $0.encoded() } ?? Array("null".utf8)
        out += Array(",\"stats\":[".utf8)
        var first = true
        for topic in stats.keys.sorted() where topic.hasPrefix(prefix) {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            out += stats[topic]!.body
        }
        out += Array("],\"alerts\":[".utf8)
        first = true
        for fingerprint in alerts.keys.sorted() {
            let alert = alerts[fingerprint]!
            guard DashboardPrefix.matchesAlert(topic: DashboardPrefix.topic(of: alert), prefix: prefix) else { continue }
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            out += alert.body
        }
        out += Array("]}".utf8)
        return out
    }
}
