public import PixelAlerts
public import PixelCore
public import PixelSupport
import Synchronization

/// The aggregator: counts every batch into sliding windows per campaign × pixel and per
/// campaign, and turns what changed into live-feed messages.
///
/// Batches arrive in groups from the ingest server (one actor call per group, never per
/// event). With a feed (a `publish` closure), what a group changed is published as soon as
/// it is counted, each key at most once per tick: a key published less than a tick ago
/// waits until its tick has passed, and the feed server's timer (``publishChanges(all:)``,
/// four times per tick) publishes it then, with whatever else it collected meanwhile.
/// The feed server also asks for ``publishHeartbeat(published:)``. Everything goes to
/// `publish` in `seq` order.
///
/// Publishing must not hold ingestion back: when it takes more than a quarter of the
/// actor's time (measured between heartbeats), pixel keys are published 2, 4 and up to 8
/// ticks apart, and back to every tick once it takes less than a tenth; the same when the
/// publisher thread cannot keep up (``PixelConflation``). Rollups and alerts keep the
/// tick. The heartbeat says all three (`pixelInterval`, `feedShare`, `feedBacklog`).
public actor Aggregator {
    private var state: AggregatorState
    private let configuration: AggregatorConfiguration
    /// The end of the last ingest-log records counted: a checkpoint holds everything before it.
    private var loggedThrough: LogPosition?
    private let clock: @Sendable () -> Int64
    private let windowUnit: Int64
    private var lastSweepUnit: Int64 = .min
    private var eventsAtLastHeartbeat: UInt64 = 0
    private var lastHeartbeat: Int64?
    /// Time spent finding and building feed messages since the last heartbeat.
    private var feedTime = Duration.zero
    private var feedTimeSince = ContinuousClock.now
    private var feedShare = 0.0
    /// When the aggregator started, ms since the Unix epoch.
    public nonisolated let startedAt: Int64
    /// Takes what the feed publishes, in `seq` order: only this actor calls it, so the order
    /// of the calls is the order in which `seq` numbers were handed out.
    private let publish: (@Sendable ([FeedItem]) -> Void)?
    /// The windows' part of every stats body, for whoever encodes them.
    public nonisolated let layout: StatsBodyLayout
    /// Where alerts go besides the feed (``alertNotifications(limit:)``); attached from any thread.
    private nonisolated let alertSinks = Mutex<[AsyncStream<Alert>.Continuation]>([])

    /// Creates an aggregator.
    ///
    /// - Parameters:
    ///   - configuration: Windows and feed settings.
    ///   - clock: The time in ms since the Unix epoch; the wall clock unless a test drives it.
    ///   - publish: Where feed messages go (the feed server's queue); `nil` without a feed:
    ///     then nothing is published as it is counted, and ``changes()`` returns it all.
    public init(
        configuration: AggregatorConfiguration, clock: @escaping @Sendable () -> Int64 = Aggregator.wallClock,
        publish: (@Sendable ([FeedItem]) -> Void)? = nil
    ) {
        state = AggregatorState(configuration: configuration)
        layout = state.layout
        self.publish = publish
        self.configuration = configuration
        self.clock = clock
        windowUnit = configuration.windows.windows[0].step
        startedAt = clock()
    }

    /// The windows every key keeps, shortest first.
    public nonisolated var windows: [WindowSpec] { configuration.windows.windows }

    /// Milliseconds since the Unix epoch, from the system clock.
    @Sendable public static func wallClock() -> Int64 {
        WallClock.milliseconds()
    }

    /// Counts decoded batches.
    ///
    /// - Parameters:
    ///   - time: The clock time to count them at (ms): `nil` for now; the time they were
    ///     logged at when they are replayed from the ``IngestLog``.
    ///   - position: Where their records end in the ``IngestLog``, if they were logged.
    ///   - replaying: Whether they come from the log at start: then they are not published
    ///     as they are counted (the first tick publishes every key once).
    /// - Returns: For each batch, its acknowledgement: `accepted`, with each event's
    ///   ``PixelCore/EventFate`` when the batch asks for them
    ///   (``PixelCore/EventBatch/reportsFates``), or `duplicate`, without fates, when its
    ///   collector sent the same sequence number before (it is not counted again).
    @discardableResult
    public func ingest(
        _ batches: [EventBatch], at time: Int64? = nil, loggedThrough position: LogPosition? = nil, replaying: Bool = false
    ) -> [IngestAck] {
        let now = time ?? clock()
        if let position { loggedThrough = position }
        let acks = batches.map { state.ingest($0, now: now) }
        // A replay publishes nothing as it goes: its keys wait for the first tick, once.
        if let publish, !replaying { publish(changes(now: now, taking: .due, clocks: false)) }
        return acks
    }

    /// The whole state now, with the place in the ingest log it covers: one actor step, so
    /// it is consistent. Takes time in proportion to the keys (about 50 ms for 100 000 busy
    /// keys), during which ingestion waits.
    public func checkpoint() -> Checkpoint {
        var writer = ByteWriter()
        state.encode(into: &writer)
        return Checkpoint(time: clock(), logPosition: loggedThrough, state: writer.bytes)
    }

    /// Replaces the state with a checkpoint's, before anything is counted. The windows go on
    /// from the checkpoint's clock; whatever has aged out since drops out as the clock
    /// moves on.
    ///
    /// - Throws: ``PixelCore/CheckpointError`` when the checkpoint was written with other
    ///   windows or does not decode; the state is then unchanged.
    public func restore(_ checkpoint: Checkpoint) throws(CheckpointError) {
        let now = clock()
        do {
            try checkpoint.state.withUnsafeBytes { bytes in
                var reader = ByteReader(bytes)
                state = try AggregatorState(decoding: &reader, format: checkpoint.format, configuration: configuration, now: now)
            }
        } catch let error as CheckpointError {
            throw error
        } catch {
            throw CheckpointError("\(error)")
        }
        loggedThrough = checkpoint.logPosition
    }

    /// The aggregator's clock, ms since the Unix epoch.
    public nonisolated var now: Int64 { clock() }

    /// Notes frames that were not valid batches.
    public func reject(_ errors: [WireError]) {
        for error in errors { state.reject(error) }
    }

    /// Feed messages for everything that changed since the last call: keys with new
    /// events, and keys whose windows slid since the shortest window's last step.
    /// Alert rules are evaluated in the same step; alerts that fired or resolved follow the
    /// stats.
    public func changes() -> [FeedMessage] {
        changes(now: clock(), taking: .all).map { $0.message(layout: layout) }
    }

    private func changes(now: Int64, taking pending: AggregatorState.Pending, clocks: Bool = true) -> [FeedItem] {
        let start = ContinuousClock.now
        defer { feedTime += ContinuousClock.now - start }
        let unit = now / windowUnit
        let sweep = clocks && unit != lastSweepUnit
        if sweep { lastSweepUnit = unit }
        let stats = state.changes(now: now, taking: pending, sweep: sweep, clocks: clocks)
        let alerts = state.alertTransitions(now: now)
        if !alerts.isEmpty {
            alertSinks.withLock { sinks in
                for (alert, _) in alerts {
                    for sink in sinks { sink.yield(alert) }
                }
            }
        }
        return alerts.isEmpty ? stats : stats + alerts.map { .message($0.message) }
    }

    /// The alert rules in force.
    public var alertRules: [AlertRule] { state.alerts.rules }

    /// The alerts firing now.
    public var firingAlerts: [Alert] { state.firing.values.map(\.alert).sorted { $0.fingerprint < $1.fingerprint } }

    /// Replaces the alert rules, or throws and keeps the old ones. Open incidents of rules
    /// that keep their name carry on; those of removed rules resolve at the next tick.
    public func replaceAlertRules(_ rules: [AlertRule]) throws(AlertRuleError) {
        try state.replaceAlertRules(rules, now: clock())
    }

    /// Reads `file` and replaces the alert rules with its rules, or throws (naming the line
    /// and the field) and keeps the old ones. Returns the rules now in force.
    @discardableResult
    public func reloadAlertRules(from file: AlertRuleFile) throws(AlertRuleError) -> [AlertRule] {
        let rules = try file.load(windows: state.store.configuration)
        try replaceAlertRules(rules)
        return rules
    }

    /// Every alert that fires or resolves from now on, in order. The stream keeps the newest
    /// `limit` alerts when its reader falls behind, so it never holds up the aggregator.
    public nonisolated func alertNotifications(limit: Int = 10_000) -> AsyncStream<Alert> {
        let (stream, continuation) = AsyncStream<Alert>.makeStream(bufferingPolicy: .bufferingNewest(limit))
        alertSinks.withLock { $0.append(continuation) }
        return stream
    }

    /// Queues for the feed the changes due now (or, with `all`, every pending change), in
    /// the same step, so no later message (with a higher `seq`) can reach the feed before
    /// them; also the keys whose windows slid, and alerts.
    /// The JSON is encoded on the publisher thread, not here: at 100 000 busy keys it is
    /// most of the work of a tick, and the actor's time belongs to ingestion.
    public func publishChanges(all: Bool = false) {
        let items = changes(now: clock(), taking: all ? .all : .due)
        publish?(items)
    }

    /// Computes a ``heartbeat(published:unsubscribed:backlog:)`` and queues it for the feed.
    public func publishHeartbeat(published: UInt64, unsubscribed: UInt64 = 0, backlog: Int = 0) {
        publish?([.message(heartbeat(published: published, unsubscribed: unsubscribed, backlog: backlog))])
    }

    /// One chunk of a snapshot: the current stats of up to `limit` keys from `start` whose
    /// topic starts with `prefix`; the first chunk (`start` 0) also carries the messages of
    /// the alerts firing now and the campaigns' breakdowns whose topic starts with `prefix`.
    ///
    /// Consistency (the Clone pattern's promise): the call first publishes every pending
    /// change (``publishChanges()``) and only then reads `seq` and the keys, all in one actor
    /// step. So, at the moment of reading, everything counted so far is either already on
    /// the feed with `seq` ≤ the chunk's `seq`, or — for window slides within the current
    /// step of the shortest window, which the next sweep publishes — not yet visible in the
    /// counts read either. Any change after this step gets a `seq` greater than the
    /// chunk's. Chunks are separate actor calls (ingestion goes on between them), so each
    /// chunk has its own `seq`, never below that of the first chunk (the snapshot's `S`):
    /// a key read in a later chunk may be newer than `S`, which is fine because every
    /// change after `S` was or will be published with a `seq` above `S`, and a client that
    /// drops updates at or below a key's own `seq` never applies one older than the body.
    ///
    /// One caveat, shared with the live feed: a window slide caused by an event stamped
    /// ahead of the clock is published at the clock's next step, and a key whose counts
    /// then return exactly to their last published values is not published again.
    public func snapshot(prefix: String, from start: Int, limit: Int) -> SnapshotChunk {
        // One `now` for both: counts read at a later time than the flush could be ahead of it.
        let now = clock()
        let items = changes(now: now, taking: .all)
        publish?(items)
        let (updates, next) = state.snapshot(prefix: prefix, from: start, limit: limit, now: now)
        let alerts = start > 0 ? [] : state.firing.values.map(\.message).filter { $0.topic.hasPrefix(prefix) }
        let segments = start > 0 ? [] : state.segmentSnapshot(prefix: prefix, now: now)
        return SnapshotChunk(
            seq: state.seq, time: now, updates: updates, alerts: alerts.sorted { $0.topic < $1.topic }, segments: segments, next: next)
    }

    /// One chunk of a series reply: window `window`'s counts step by step (see
    /// ``PixelCore/WindowStore/series(key:window:)``) for up to `limit` keys from `start`
    /// whose stats topic starts with `prefix`.
    ///
    /// Like ``snapshot(prefix:from:limit:)``, it first publishes every pending change, so
    /// the series read are never ahead of the feed, and reads the keys in one actor step.
    ///
    /// - Parameter window: An index into the configuration's windows.
    public func series(prefix: String, window: Int, from start: Int, limit: Int) -> SeriesChunk {
        let now = clock()
        let items = changes(now: now, taking: .all)
        publish?(items)
        let (series, next) = state.series(prefix: prefix, window: window, from: start, limit: limit, now: now)
        return SeriesChunk(seq: state.seq, time: now, series: series, next: next)
    }

    /// The `seq` of the last message queued for the feed.
    public var seq: UInt64 { state.seq }

    /// The `heartbeat/` message (a ``PixelCore/FeedHeartbeat``).
    ///
    /// `ingestRate` is events counted per second since the previous heartbeat.
    ///
    /// - Parameter published: The feed messages the PUB socket accepted so far: libzmq 4.3
    ///   does not report what it drops per subscriber, so a subscriber compares it with
    ///   what it received.
    ///   - unsubscribed: The stats messages not sent because no subscriber wanted their topic.
    ///   - backlog: The most messages the publisher thread found waiting at once since the
    ///     last heartbeat: over ``PixelConflation/backlogLimit`` the feed conflates pixels
    ///     as if it took too much of the actor.
    public func heartbeat(published: UInt64 = 0, unsubscribed: UInt64 = 0, backlog: Int = 0) -> FeedMessage {
        let now = clock()
        let statistics = state.statistics
        let elapsed = Double(now - (lastHeartbeat ?? startedAt)) / 1000
        let rate = elapsed > 0 ? Double(statistics.events - eventsAtLastHeartbeat) / elapsed : 0
        lastHeartbeat = now
        eventsAtLastHeartbeat = statistics.events
        let measured = ContinuousClock.now - feedTimeSince
        if measured >= .milliseconds(250) {
            feedShare = feedTime / measured
            state.conflation.adapt(toShare: feedShare, backlog: backlog)
            feedTime = .zero
            feedTimeSince += measured
        }
        state.eventIDs.advance(to: now)  // so that ids past the horizon are not counted as remembered
        let heartbeat = FeedHeartbeat(
            seq: state.nextSeq(), time: now, startedAt: startedAt, activeKeys: state.activeKeyCount,
            ingestRate: (rate * 10).rounded() / 10, events: statistics.events, duplicates: statistics.duplicates,
            eventIDsRemembered: state.eventIDs.count, eventIDsForgotten: statistics.eventIDsForgotten, tooLate: statistics.tooLate, tooFarInFuture: statistics.tooFarInFuture, batches: statistics.batches,
            duplicateBatches: statistics.duplicateBatches,
            rejectedBatches: statistics.rejectedBatches.values.reduce(0, +), published: published,
            unsubscribed: unsubscribed, firingAlerts: state.firing.count, pixelInterval: state.tick * state.conflation.ticks,
            feedShare: (feedShare * 100).rounded() / 100, feedBacklog: backlog)
        return FeedMessage(topic: FeedTopic.heartbeat, body: heartbeat.encoded())
    }

    /// What has been ingested so far.
    public var statistics: IngestStatistics { state.statistics }

    /// A campaign's breakdown by `dimension`: each value's counts for every window, busiest
    /// first (as the `segments/…` topics publish it); `nil` for a campaign never counted, or
    /// with segments off.
    public func segments(campaign: CampaignID, dimension: SegmentDimension) -> [(segment: String, counts: [Counts])]? {
        guard let rollup = state.table.key(campaign: campaign, pixel: nil) else { return nil }
        state.advance(to: clock())
        return state.segments?.rows(ofRollup: rollup, dimension: dimension)
    }

    /// The counts of a pixel, or of a campaign's rollup when `pixel` is `nil`, for every
    /// window; `nil` for ids never seen.
    public func counts(campaign: CampaignID, pixel: PixelID? = nil) -> [Counts]? {
        guard let key = state.table.key(campaign: campaign, pixel: pixel) else { return nil }
        state.advance(to: clock())
        return state.counts(key: key)
    }
}
