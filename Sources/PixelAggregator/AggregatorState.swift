import PixelAlerts
import PixelCore
import PixelSupport

/// Everything the aggregator counts, as plain values: the windows of every key, the id
/// tables, what changed since the last publish, and the feed sequence.
///
/// Non-copyable, and owned by the ``Aggregator`` actor, so a whole batch is counted in
/// one exclusive access with no locks and no allocation per event. Its members are
/// internal, not private, for the checkpoint codec in `AggregatorState+Checkpoint.swift`.
struct AggregatorState: ~Copyable {
    var store: WindowStore
    var table = KeyTable()
    /// What has been ingested (the event ids forgotten early are counted by ``eventIDs``).
    private var counted = IngestStatistics()
    /// The sequence number of the last message published, on any topic.
    var seq: UInt64 = 0

    var eventIDs: EventIDFilter
    /// Whether rollups count unique visitors.
    let countsUniques: Bool
    var batches = RecentSequences()
    /// What to publish, and when.
    var changes: ChangeTracker
    /// The tick: the shortest time between two messages of a key, ms.
    let tick: Int64
    /// How many ticks apart pixel keys are published; rollups keep the tick.
    var conflation = PixelConflation()
    /// When each key was first seen (clock ms): how far back its alert baselines can reach.
    var firstSeen: [Int64] = []
    var alerts: AlertEngine
    /// Alerts now firing, by fingerprint, with the message that announced them.
    var firing: [String: (alert: Alert, message: FeedMessage)] = [:]
    /// The windows' part of every stats body, made once.
    let layout: StatsBodyLayout
    /// Each campaign broken down by segment; `nil` when turned off.
    var segments: SegmentCounts?
    /// Each campaign's last seven days by the hour, for seasonal alert baselines.
    var history = HourlyHistory()
    /// The history series of each rollup key; -1 for pixel keys.
    var seriesOfKey: [Int32] = []

    init(configuration: AggregatorConfiguration) {
        store = WindowStore(configuration: configuration.windows)
        segments = configuration.segments ? SegmentCounts(configuration: configuration.windows, bound: configuration.segmentBound) : nil
        layout = StatsBodyLayout(windows: configuration.windows.windows)
        tick = max(1, Int64(configuration.tickInterval.nanoseconds / 1_000_000))
        changes = ChangeTracker(resolution: max(1, tick / 4), longestInterval: tick * PixelConflation.maxTicks)
        eventIDs = EventIDFilter(horizon: configuration.eventIDHorizon, limit: configuration.eventIDLimit)
        countsUniques = configuration.uniqueVisitors
        let rules = configuration.alertRules ?? AlertRule.defaults(for: configuration.windows)
        do {
            alerts = try AlertEngine(windows: configuration.windows.windows, rules: rules)
        } catch {
            preconditionFailure("alert rules do not fit the windows (check them with AlertRuleFile): \(error)")
        }
    }

    /// What has been ingested since the start.
    var statistics: IngestStatistics {
        var statistics = counted
        statistics.eventIDsForgotten = eventIDs.forgotten
        return statistics
    }

    var windows: [WindowSpec] { store.configuration.windows }
    var activeKeyCount: Int { changes.active.count }

    /// Counts one decoded batch at clock time `now` (ms), unless the same collector sent a
    /// batch with the same sequence number before; returns its acknowledgement, with each
    /// event's fate when the batch asks for them.
    mutating func ingest(_ batch: borrowing EventBatch, now: Int64) -> IngestAck {
        guard batches.insert(collector: batch.collector, sequence: batch.sequence) else {
            counted.duplicateBatches += 1
            return IngestAck(sequence: batch.sequence, status: .duplicate)
        }
        defer { counted.batches += 1 }
        advance(to: now)
        let names = batch.names.map { table.nameID($0) }
        let keys = resolveKeys(batch, names: names, now: now)
        // Allocated only when asked for.
        var fates: [EventFate] = []
        if batch.reportsFates { fates.reserveCapacity(batch.count) }
        var counted = [Bool]()
        if segments != nil { counted.reserveCapacity(batch.count) }
        for (event, keys) in zip(batch.events, keys) {
            let fate = count(event, keys: keys, now: now)
            if batch.reportsFates { fates.append(fate) }
            if segments != nil { counted.append(fate == .counted) }
        }
        // The same events in the same order, at the same clock: accepted alike.
        segments?.record(batch, nameIDs: names, keys: keys, counted: counted)
        return IngestAck(sequence: batch.sequence, status: .accepted, fates: batch.reportsFates ? fates : nil)
    }

    /// Every event's pixel and rollup keys, made on first sight. A batch's names are
    /// interned once; then the lookups run back to back with nothing in between, so that
    /// their cache misses overlap (counting in the same loop would keep one at a time).
    private mutating func resolveKeys(_ batch: borrowing EventBatch, names: [UInt32], now: Int64) -> [(pixel: Int, rollup: Int)] {
        var keys: [(pixel: Int, rollup: Int)] = []
        keys.reserveCapacity(batch.count)
        for event in batch.events {
            let (campaign, pixel) = (names[Int(event.campaign)], names[Int(event.pixel)])
            let found = table.keys(campaign: campaign, pixel: pixel) ?? makeKeys(campaign: campaign, pixel: pixel, now: now)
            keys.append(found)
        }
        return keys
    }

    private mutating func makeKeys(campaign: UInt32, pixel: UInt32, now: Int64) -> (pixel: Int, rollup: Int) {
        let keys = table.makeKeys(campaign: campaign, pixel: pixel) { rollup in
            store.makeKey(countingUniques: rollup && countsUniques)
        }
        grow(to: table.count, now: now)
        return keys
    }

    /// Counts one event into its pixel's and its campaign's windows, unless it is refused
    /// for its time or its event id was seen before; returns which.
    private mutating func count(_ event: EventBatch.Event, keys: (pixel: Int, rollup: Int), now: Int64) -> EventFate {
        switch store.outcome(at: event.time) {
        case .accepted: break
        case .tooLate:
            counted.tooLate += 1
            return .tooLate
        case .tooFarInFuture:
            counted.tooFarInFuture += 1
            return .tooFarInFuture
        }
        // Only an event that counts leaves its id behind: one refused for its time may come again.
        if event.presence.contains(.eventID),
           !eventIDs.insert(EventID(rawValue: event.eventID), scope: keys.rollup, now: now) {
            counted.duplicates += 1
            return .duplicate
        }
        store.record(event.kind, value: event.value, at: event.time, key: keys.pixel)
        // Unique visitors are estimated per campaign: a sketch per pixel would cost too much.
        let visitor = event.presence.contains(.visitor) ? event.visitor : nil
        store.record(event.kind, value: event.value, visitor: visitor, at: event.time, key: keys.rollup)
        history.record(event.kind, at: event.time, series: Int(seriesOfKey[keys.rollup]))
        counted.events += 1
        changes.markDirty(keys.pixel)
        changes.markDirty(keys.rollup)
        return .counted
    }

    /// Counts a frame that did not decode.
    mutating func reject(_ error: WireError) {
        counted.rejectedBatches[error.reason, default: 0] += 1
    }

    /// Which pending keys ``changes(now:taking:sweep:clocks:)`` visits.
    enum Pending {
        /// Those last published at least their interval ago.
        case due
        /// All of them.
        case all
    }

    /// Updates for the keys whose counts changed since last published: pending keys with
    /// new events (those due, or all), and, when `sweep` is set, every key whose windows
    /// slid. A key whose windows have all emptied is published once with zeros and then
    /// left alone. With `clocks`, incidents also run their `for` and `cooldown` clocks on
    /// keys nothing else visits.
    mutating func changes(now: Int64, taking pending: Pending, sweep: Bool, clocks: Bool) -> [FeedItem] {
        advance(to: now)
        let interval = interval
        defer {
            if clocks {
                for key in alerts.keysWithIncidents(notEvaluatedAt: now) { evaluateAlerts(key, counts: store.counts(key: key), now: now) }
            }
        }
        var messages: [FeedItem] = []
        let keys = switch pending {
        case .due: changes.takeDue(now: now, interval: interval)
        case .all: changes.takeAll()
        }
        for key in keys { visit(key, now: now, into: &messages) }
        // Breakdowns follow at most once per step of the shortest window, and on a flush.
        if sweep || pending == .all, segments != nil {
            messages += segments!.changes(now: now, sweep: sweep, seq: &seq).map(FeedItem.segments)
        }
        guard sweep else { return messages }
        var index = 0
        while index < changes.active.count {
            let key = changes.active[index]
            // A key published within its interval shows its slide when its turn comes.
            let since = now - changes.publishedAt[key]
            if since < interval(key) {
                if since > 0 { changes.markDirty(key) }
                index += 1
                continue
            }
            visit(key, now: now, into: &messages)
            if store.isIdle(key: key) {
                changes.deactivate(at: index)
            } else {
                index += 1
            }
        }
        return messages
    }

    /// The alerts that fired or resolved since the last call, each with its feed message
    /// (stamped with the next `seq`s); keeps ``firing`` up to date. A campaign's alert
    /// firing carries the reasons its segments give.
    mutating func alertTransitions(now: Int64) -> [(alert: Alert, message: FeedMessage)] {
        alerts.takeTransitions().map { transition in
            var alert = transition
            if alert.status == .firing, alert.pixel == nil, segments != nil,
               let key = table.key(campaign: alert.campaign, pixel: nil) {
                segments!.explain(&alert, rollup: key, counts: store.counts(key: key), windows: windows, age: now - firstSeen[key])
            }
            let message = alert.message(seq: nextSeq(), time: now)
            firing[alert.fingerprint] = alert.status == .firing ? (alert, message) : nil
            return (alert, message)
        }
    }

    /// Replaces the alert rules, keeping the incidents of rules that stay (see
    /// ``AlertEngine/replaceRules(_:now:)``).
    mutating func replaceAlertRules(_ rules: [AlertRule], now: Int64) throws(AlertRuleError) {
        try alerts.replaceRules(rules, now: now)
    }

    /// The stats (with `seq` = the current ``seq``) of up to `limit` keys from `start`
    /// whose topic starts with `prefix`, and the key to continue from (`nil` at the end).
    mutating func snapshot(prefix: String, from start: Int, limit: Int, now: Int64) -> ([StatsUpdate], next: Int?) {
        let end = min(table.count, start + limit)
        let updates = (start..<end).filter { table[$0].topic.hasPrefix(prefix) }.map { key in
            update(key, seq: seq, now: now, counts: store.counts(key: key))
        }
        return (updates, end < table.count ? end : nil)
    }

    /// The series of window `window` for the keys `start..<start + limit` whose topic
    /// starts with `prefix`, and where the next chunk starts.
    mutating func series(prefix: String, window: Int, from start: Int, limit: Int, now: Int64) -> ([SeriesUpdate], next: Int?) {
        let end = min(table.count, start + limit)
        let series = (start..<end).filter { table[$0].topic.hasPrefix(prefix) }.map { key in
            let entry = table[key]
            return SeriesUpdate(topic: entry.topic, campaign: entry.campaign, pixel: entry.pixel, seq: seq, time: now,
                                series: store.series(key: key, window: window))
        }
        return (series, end < table.count ? end : nil)
    }

    /// The current counts of `key`, every window.
    mutating func counts(key: Int) -> [Counts] { store.counts(key: key) }

    /// Moves the windows' clock forward.
    mutating func advance(to now: Int64) {
        store.advance(to: now)
        segments?.advance(to: now)
    }

    /// The breakdowns (with `seq` = the current ``seq``) of the campaigns whose segments
    /// topics start with `prefix`.
    mutating func segmentSnapshot(prefix: String, now: Int64) -> [SegmentsUpdate] {
        segments?.snapshot(prefix: prefix, seq: seq, now: now) ?? []
    }

    /// The next sequence number, for a message about to be published.
    mutating func nextSeq() -> UInt64 {
        seq += 1
        return seq
    }

    /// The shortest time between two messages of a key, ms, as things stand.
    private var interval: (_ key: Int) -> Int64 {
        let (isRollup, rollup, pixel) = (table.isRollup, tick, tick * conflation.ticks)
        return { isRollup[$0] ? rollup : pixel }
    }

    /// Reads a key's counts once, for its alert rules and for the feed.
    private mutating func visit(_ key: Int, now: Int64, into updates: inout [FeedItem]) {
        let counts = store.counts(key: key)
        evaluateAlerts(key, counts: counts, now: now)
        publishIfChanged(key, counts: counts, now: now, into: &updates)
    }

    private mutating func evaluateAlerts(_ key: Int, counts: [Counts], now: Int64) {
        let entry = table[key]
        let series = Int(seriesOfKey[key])
        alerts.evaluate(key: key, campaign: entry.campaign, pixel: entry.pixel, counts: counts, age: now - firstSeen[key], now: now) {
            series < 0 ? nil : history.expected(series: series, from: $0, to: $1)
        }
    }

    private mutating func publishIfChanged(_ key: Int, counts: [Counts], now: Int64, into updates: inout [FeedItem]) {
        guard changes.publish(key, counts: counts, now: now) else { return }
        updates.append(.stats(update(key, seq: nextSeq(), now: now, counts: counts)))
    }

    private func update(_ key: Int, seq: UInt64, now: Int64, counts: [Counts]) -> StatsUpdate {
        let entry = table[key]
        return StatsUpdate(topic: entry.topic, campaign: entry.campaign, pixel: entry.pixel, seq: seq, time: now,
                           counts: counts)
    }

    /// Makes room for keys up to `count`, first seen at `now`.
    mutating func grow(to count: Int, now: Int64) {
        while firstSeen.count < count { firstSeen.append(now) }
        while seriesOfKey.count < count {
            seriesOfKey.append(table.isRollup[seriesOfKey.count] ? Int32(history.makeSeries(at: now)) : -1)
        }
        changes.grow(to: count)
    }
}
