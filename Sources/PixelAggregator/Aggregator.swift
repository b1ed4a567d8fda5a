import PixelCore

/// The aggregator: counts every batch into sliding windows per campaign × pixel and per
/// campaign, and turns what changed into live-feed messages.
///
/// Batches arrive in groups from ``IngestServer`` (one actor call per group, never per
/// event); ``FeedServer`` asks for ``changes()`` on every tick and for a ``heartbeat()``.
public actor Aggregator {
    private var state: AggregatorState
    private let clock: @Sendable () -> Int64
    private let windowUnit: Int64
    private var lastSweepUnit: Int64 = .min
    private var eventsAtLastHeartbeat: UInt64 = 0
    private var lastHeartbeat: Int64?
    /// When the aggregator started, ms since the Unix epoch.
    public nonisolated let startedAt: Int64

    /// Creates an aggregator.
    ///
    /// - Parameters:
    ///   - configuration: Windows and feed settings.
    ///   - clock: The time in ms since the Unix epoch; the wall clock unless a test drives it.
    public init(configuration: AggregatorConfiguration, clock: @escaping @Sendable () -> Int64 = Aggregator.wallClock) {
        state = AggregatorState(configuration: configuration)
        self.clock = clock
        windowUnit = configuration.windows.windows[0].step
        startedAt = clock()
    }

    /// Milliseconds since the Unix epoch, from the system clock.
    @Sendable public static func wallClock() -> Int64 {
        WallClock.milliseconds()
    }

    /// Counts decoded batches.
    public func ingest(_ batches: [EventBatch]) {
        let now = clock()
        for batch in batches { state.ingest(batch, now: now) }
    }

    /// Notes frames that were not valid batches.
    public func reject(_ errors: [WireError]) {
        for error in errors { state.reject(error) }
    }

    /// Feed messages for everything that changed since the last call: keys with new
    /// events, and keys whose windows slid since the shortest window's last step.
    public func changes() -> [FeedMessage] {
        let now = clock()
        let unit = now / windowUnit
        defer { lastSweepUnit = unit }
        return state.changes(now: now, sweep: unit != lastSweepUnit)
    }

    /// The `heartbeat/` message.
    ///
    /// ```json
    /// {"type":"heartbeat","seq":7,"time":1790000001000,"startedAt":1790000000000,
    ///  "activeKeys":12,"ingestRate":20480.5,"events":123456,"duplicates":0,
    ///  "tooLate":0,"tooFarInFuture":0,"batches":480,"rejectedBatches":0}
    /// ```
    /// `ingestRate` is events counted per second since the previous heartbeat.
    public func heartbeat() -> FeedMessage {
        let now = clock()
        let statistics = state.statistics
        let elapsed = Double(now - (lastHeartbeat ?? startedAt)) / 1000
        let rate = elapsed > 0 ? Double(statistics.events - eventsAtLastHeartbeat) / elapsed : 0
        lastHeartbeat = now
        eventsAtLastHeartbeat = statistics.events
        var json = JSONWriter()
        json.beginObject()
        json.member("type", "heartbeat")
        json.member("seq", state.nextSeq())
        json.member("time", now)
        json.member("startedAt", startedAt)
        json.member("activeKeys", state.activeKeyCount)
        json.member("ingestRate", (rate * 10).rounded() / 10)
        json.member("events", statistics.events)
        json.member("duplicates", statistics.duplicates)
        json.member("tooLate", statistics.tooLate)
        json.member("tooFarInFuture", statistics.tooFarInFuture)
        json.member("batches", statistics.batches)
        json.member("rejectedBatches", statistics.rejectedBatches.values.reduce(0, +))
        json.endObject()
        return FeedMessage(topic: FeedTopic.heartbeat, body: json.bytes)
    }

    /// What has been ingested so far.
    public var statistics: IngestStatistics { state.statistics }

    /// The counts of a pixel, or of a campaign's rollup when `pixel` is `nil`, for every
    /// window; `nil` for ids never seen.
    public func counts(campaign: CampaignID, pixel: PixelID? = nil) -> [Counts]? {
        guard let key = state.table.key(campaign: campaign, pixel: pixel) else { return nil }
        state.advance(to: clock())
        return state.counts(key: key)
    }
}
