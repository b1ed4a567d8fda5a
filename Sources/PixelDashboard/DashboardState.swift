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

    /// The JSON document of `GET /v1/state` and of the `state` event, for `selection`:
    /// `{"seq":S,"startedAt":…,"stale":bool,"heartbeat":{…}|null,"stats":[…],"alerts":[…]}`,
    /// stats in topic order, alerts in fingerprint order, each body as the feed sent it.
    public func document(for selection: DashboardSelection) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256 + stats.count * 600)
        out += Array("{\"seq\":\(seq),\"startedAt\":\(startedAt),\"stale\":\(staleSince != nil || !isLoaded),\"heartbeat\":".utf8)
        out += heartbeat.map { $0.encoded() } ?? Array("null".utf8)
        out += Array(",\"stats\":".utf8)
        append(stats.keys.sorted().lazy.filter(selection.matchesStats).map { stats[$0]!.body }, to: &out)
        out += Array(",\"alerts\":".utf8)
        append(
            alerts.keys.sorted().lazy.map { alerts[$0]! }
                .filter { selection.matchesAlert(topic: DashboardSelection.topic(of: $0)) }.map(\.body),
            to: &out)
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// Appends `bodies` as a JSON array.
    private func append(_ bodies: some Sequence<[UInt8]>, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "["))
        var first = true
        for body in bodies {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            out += body
        }
        out.append(UInt8(ascii: "]"))
    }
}
