public import PixelAlerts
public import PixelCore

/// Where the aggregator listens and how it counts and publishes.
public struct AggregatorConfiguration: Sendable {
    /// The ROUTER endpoint collectors send batches to.
    public var ingestEndpoint: String
    /// The PUB endpoint of the live feed.
    public var feedEndpoint: String
    /// The ROUTER endpoint that answers snapshot requests (see ``AggregatorService``).
    public var snapshotEndpoint: String
    /// The sliding windows and the lateness rules.
    public var windows: WindowConfiguration
    /// How often changed keys are published.
    public var tickInterval: Duration
    /// How often the `heartbeat/` topic is published (at most a second).
    public var heartbeatInterval: Duration
    /// Messages queued per feed subscriber before libzmq drops that subscriber's messages.
    public var feedHighWaterMark: Int
    /// How long event ids are remembered for de-duplication, in ms: 1 minute to
    /// ``PixelCore/EventIDFilter/maxHorizon``.
    public var eventIDHorizon: Int64
    /// The most event ids remembered; beyond it the oldest are forgotten early (see
    /// ``PixelCore/EventIDFilter``: 10–15 bytes each).
    public var eventIDLimit: Int
    /// The alert rules; `nil` for ``AlertRule/defaults(for:)`` over ``windows``. Their
    /// windows must be among ``windows`` (``AlertRuleFile`` checks a file's rules).
    public var alertRules: [AlertRule]?
    /// CURVE on every socket, with allowlists; `nil` for plain transport.
    public var security: TransportSecurity?
    /// Whether campaign rollups estimate unique visitors (``Counts/uniques``). Each
    /// visitor's event then updates its campaign's sketch: one more random memory access.
    public var uniqueVisitors = true
    /// Whether campaigns are broken down by device, browser, system, channel, referrer and
    /// country (`segments/…` topics); each counted event then updates six more counters.
    public var segments = true
    /// The most values of channel, referrer and country each campaign keeps apart; the
    /// rest count as `(other)` (see `SegmentCounts`).
    public var segmentBound = 10

    /// The embedded defaults' endpoints, on loopback.
    public static let defaultIngestEndpoint = "tcp://127.0.0.1:5570"
    public static let defaultFeedEndpoint = "tcp://127.0.0.1:5571"
    public static let defaultSnapshotEndpoint = "tcp://127.0.0.1:5572"

    /// The embedded defaults: loopback endpoints, standard windows, 250 ms ticks, event ids
    /// remembered for 48 hours, up to 10 million of them.
    public init(
        ingestEndpoint: String = defaultIngestEndpoint,
        feedEndpoint: String = defaultFeedEndpoint,
        snapshotEndpoint: String = defaultSnapshotEndpoint,
        windows: WindowConfiguration = .standard,
        tickInterval: Duration = .milliseconds(250),
        heartbeatInterval: Duration = .seconds(1),
        feedHighWaterMark: Int = 100_000,
        eventIDHorizon: Int64 = 172_800_000,
        eventIDLimit: Int = 10_000_000,
        alertRules: [AlertRule]? = nil,
        security: TransportSecurity? = nil
    ) {
        self.ingestEndpoint = ingestEndpoint
        self.feedEndpoint = feedEndpoint
        self.snapshotEndpoint = snapshotEndpoint
        self.windows = windows
        self.tickInterval = tickInterval
        self.heartbeatInterval = min(heartbeatInterval, .seconds(1))
        self.feedHighWaterMark = feedHighWaterMark
        self.eventIDHorizon = eventIDHorizon
        self.eventIDLimit = eventIDLimit
        self.alertRules = alertRules
        self.security = security
    }
}
