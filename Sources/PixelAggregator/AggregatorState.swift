import PixelCore

/// Everything the aggregator counts, as plain values: the windows of every key, the id
/// tables, what changed since the last publish, and the feed sequence.
///
/// Non-copyable, and owned by the ``Aggregator`` actor, so a whole batch is counted in
/// one exclusive access with no locks and no allocation per event.
struct AggregatorState: ~Copyable {
    private(set) var store: WindowStore
    private(set) var table = KeyTable()
    private(set) var statistics = IngestStatistics()
    /// The sequence number of the last message published, on any topic.
    private(set) var seq: UInt64 = 0

    private var eventIDs: EventIDFilter
    /// Whether rollups count unique visitors.
    private let countsUniques: Bool
    private var batches = RecentSequences()
    /// Keys with events since the last publish.
    private var dirty: [Int] = []
    private var isDirty: [Bool] = []
    /// Keys that hold counts, and a fingerprint of what was last published for each.
    private var active: [Int] = []
    private var isActive: [Bool] = []
    private var published: [UInt64] = []
    /// When each key was first seen (clock ms): how far back its alert baselines can reach.
    private var firstSeen: [Int64] = []
    private(set) var alerts: AlertEngine
    /// Alerts now firing, by fingerprint, with the message that announced them.
    private(set) var firing: [String: (alert: Alert, message: FeedMessage)] = [:]

    init(configuration: AggregatorConfiguration) {
        store = WindowStore(configuration: configuration.windows)
        eventIDs = EventIDFilter(horizon: configuration.eventIDHorizon)
        countsUniques = configuration.uniqueVisitors
        let rules = configuration.alertRules ?? AlertRule.defaults(for: configuration.windows)
        do {
            alerts = try AlertEngine(windows: configuration.windows.windows, rules: rules)
        } catch {
            preconditionFailure("alert rules do not fit the windows (check them with AlertRuleFile): \(error)")
        }
    }

    var windows: [WindowSpec] { store.configuration.windows }
    var activeKeyCount: Int { active.count }

    /// Counts one decoded batch at clock time `now` (ms), unless the same collector sent a
    /// batch with the same sequence number before.
    mutating func ingest(_ batch: borrowing EventBatch, now: Int64) -> IngestAck.Status {
        guard batches.insert(collector: batch.collector, sequence: batch.sequence) else {
            statistics.duplicateBatches += 1
            return .duplicate
        }
        defer { statistics.batches += 1 }
        store.advance(to: now)
        // Intern each (campaign, pixel) pair once per batch.
        var resolved: [UInt32: (pixel: Int, rollup: Int)] = [:]
        for event in batch.events {
            let pair = UInt32(event.campaign) << 16 | UInt32(event.pixel)
            let keys: (pixel: Int, rollup: Int)
            if let known = resolved[pair] {
                keys = known
            } else {
                keys = table.keys(campaign: batch.names[Int(event.campaign)], pixel: batch.names[Int(event.pixel)]) { rollup in
                    store.makeKey(countingUniques: rollup && countsUniques)
                }
                resolved[pair] = keys
                growFlags(to: table.count, now: now)
            }
            if event.presence.contains(.eventID),
               !eventIDs.insert(EventID(rawValue: event.eventID), scope: keys.rollup, now: now) {
                statistics.duplicates += 1
                continue
            }
            switch store.record(event.kind, value: event.value, at: event.time, key: keys.pixel) {
            case .accepted:
                // Unique visitors are estimated per campaign: a sketch per pixel would cost too much.
                let visitor = event.presence.contains(.visitor) ? event.visitor : nil
                store.record(event.kind, value: event.value, visitor: visitor, at: event.time, key: keys.rollup)
                statistics.events += 1
                markDirty(keys.pixel)
                markDirty(keys.rollup)
            case .tooLate:
                statistics.tooLate += 1
            case .tooFarInFuture:
                statistics.tooFarInFuture += 1
            }
        }
        return .accepted
    }

    /// Counts a frame that did not decode.
    mutating func reject(_ error: WireError) {
        statistics.rejectedBatches[error.reason, default: 0] += 1
    }

    /// Updates for every key whose counts changed since last published: keys with new
    /// events, and, when `sweep` is set, keys whose windows slid. A key whose windows have
    /// all emptied is published once with zeros and then left alone.
    mutating func changes(now: Int64, sweep: Bool) -> [StatsUpdate] {
        store.advance(to: now)
        var messages: [StatsUpdate] = []
        for key in dirty {
            isDirty[key] = false
            if !isActive[key] {
                isActive[key] = true
                active.append(key)
            }
            visit(key, now: now, into: &messages)
        }
        dirty.removeAll(keepingCapacity: true)
        defer {
            // Incidents run their `for` and `cooldown` clocks even on keys nothing else visits.
            for key in alerts.keysWithIncidents(notEvaluatedAt: now) { evaluateAlerts(key, counts: store.counts(key: key), now: now) }
        }
        guard sweep else { return messages }
        var index = 0
        while index < active.count {
            let key = active[index]
            visit(key, now: now, into: &messages)
            if store.isIdle(key: key) {
                isActive[key] = false
                active.swapAt(index, active.count - 1)
                active.removeLast()
            } else {
                index += 1
            }
        }
        return messages
    }

    /// The alerts that fired or resolved since the last call, each with its feed message
    /// (stamped with the next `seq`s); keeps ``firing`` up to date.
    mutating func alertTransitions(now: Int64) -> [(alert: Alert, message: FeedMessage)] {
        alerts.takeTransitions().map { alert in
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

    /// The current counts of `key`, every window.
    mutating func counts(key: Int) -> [Counts] { store.counts(key: key) }

    /// Moves the windows' clock forward.
    mutating func advance(to now: Int64) { store.advance(to: now) }

    /// The next sequence number, for a message about to be published.
    mutating func nextSeq() -> UInt64 {
        seq += 1
        return seq
    }

    /// Reads a key's counts once, for its alert rules and for the feed.
    private mutating func visit(_ key: Int, now: Int64, into updates: inout [StatsUpdate]) {
        let counts = store.counts(key: key)
        evaluateAlerts(key, counts: counts, now: now)
        publishIfChanged(key, counts: counts, now: now, into: &updates)
    }

    private mutating func evaluateAlerts(_ key: Int, counts: [Counts], now: Int64) {
        let entry = table[key]
        alerts.evaluate(key: key, campaign: entry.campaign, pixel: entry.pixel, counts: counts, age: now - firstSeen[key], now: now)
    }

    private mutating func publishIfChanged(_ key: Int, counts: [Counts], now: Int64, into updates: inout [StatsUpdate]) {
        let fingerprint = Self.fingerprint(counts)
        guard fingerprint != published[key] else { return }
        published[key] = fingerprint
        updates.append(update(key, seq: nextSeq(), now: now, counts: counts))
    }

    private func update(_ key: Int, seq: UInt64, now: Int64, counts: [Counts]) -> StatsUpdate {
        let entry = table[key]
        return StatsUpdate(topic: entry.topic, campaign: entry.campaign, pixel: entry.pixel, seq: seq, time: now,
                           windows: windows, counts: counts)
    }

    private mutating func markDirty(_ key: Int) {
        guard !isDirty[key] else { return }
        isDirty[key] = true
        dirty.append(key)
    }

    private mutating func growFlags(to count: Int, now: Int64) {
        while isDirty.count < count {
            firstSeen.append(now)
            isDirty.append(false)
            isActive.append(false)
            published.append(Self.fingerprint([]))
        }
    }

    // MARK: - Checkpoints

    /// Writes everything needed to go on counting as if never stopped: the feed `seq`, the
    /// keys, each key's first sighting and windows, the event-id and batch de-duplication
    /// marks, the open alert incidents and the alerts firing. Not written: the statistics
    /// (they describe one run) and what is waiting to be published (recomputed).
    func encode(into writer: inout ByteWriter) {
        writer.write(seq)
        writer.write(UInt32(table.count))
        for key in table.keys {
            writer.write(string: key.campaign.rawValue)
            writer.write(string: key.pixel?.rawValue ?? "")
        }
        for time in firstSeen { writer.write(time) }
        store.encode(into: &writer)
        eventIDs.encode(into: &writer)
        batches.encode(into: &writer)
        alerts.encode(into: &writer)
        writer.write(UInt32(firing.count))
        for (alert, message) in firing.values.sorted(by: { $0.alert.fingerprint < $1.alert.fingerprint }) {
            alert.encode(into: &writer)
            writer.write(string: message.topic)
            writer.write(UInt32(message.body.count))
            writer.write(contentsOf: message.body)
        }
    }

    /// Reads a state written by ``encode(into:)``. Every key that holds counts is published
    /// at the first tick; an alert whose rule is gone resolves then.
    init(decoding reader: inout ByteReader, configuration: AggregatorConfiguration, now: Int64) throws(CheckpointError) {
        self.init(configuration: configuration)
        do throws(WireError) {
            seq = try reader.read(UInt64.self, "seq")
            let keyCount = Int(try reader.read(UInt32.self, "key count"))
            for index in 0..<keyCount {
                let campaign = try reader.readString("campaign")
                let pixel = try reader.readString("pixel")
                var next = table.count
                // A campaign's rollup is made with its first pixel, just before it.
                if !pixel.isEmpty {
                    _ = table.keys(campaign: campaign, pixel: pixel) { _ in
                        next += 1
                        return next - 1
                    }
                }
                guard table.count == index + 1 || pixel.isEmpty else { throw .countOutOfRange(field: "key", count: index) }
            }
            guard table.count == keyCount else { throw .countOutOfRange(field: "keys", count: keyCount) }
            growFlags(to: keyCount, now: now)
            for key in 0..<keyCount { firstSeen[key] = try reader.read(Int64.self, "first seen") }
        } catch {
            throw CheckpointError(error)
        }
        store = try WindowStore(decoding: &reader, configuration: configuration.windows)
        guard store.keyCount == table.count else {
            throw CheckpointError("holds windows for \(store.keyCount) keys but names \(table.count)")
        }
        // Uniques turned on since the checkpoint start from here; turned off, they are dropped.
        for key in 0..<table.count where table[key].pixel == nil { store.setCountingUniques(countsUniques, key: key) }
        do throws(WireError) {
            eventIDs = try EventIDFilter(decoding: &reader, horizon: configuration.eventIDHorizon)
            batches = try RecentSequences(decoding: &reader)
            try alerts.restoreIncidents(decoding: &reader, keyCount: table.count)
            let firingCount = Int(try reader.read(UInt32.self, "firing count"))
            for _ in 0..<firingCount {
                let alert = try Alert(decoding: &reader)
                let topic = try reader.readString("alert topic")
                let body = Array(try reader.read(count: Int(try reader.read(UInt32.self, "alert body length")), "alert body"))
                firing[alert.fingerprint] = (alert, FeedMessage(topic: topic, body: body))
            }
            guard reader.remaining == 0 else { throw .trailingBytes(count: reader.remaining) }
        } catch {
            throw CheckpointError(error)
        }
        let stillFiring = alerts.firingFingerprints
        for (fingerprint, entry) in firing where !stillFiring.contains(fingerprint) { alerts.resolve(entry.alert, now: now) }
        for key in 0..<table.count where !store.isIdle(key: key) { markDirty(key) }
    }

    /// A hash of every count; equal counts give equal fingerprints.
    private static func fingerprint(_ counts: [Counts]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for window in counts {
            for value in [window.views, window.clicks, window.conversions, window.value, window.uniques ?? .max] {
                hash = (hash ^ value) &* 0x0000_0100_0000_01b3
                hash ^= hash >> 29
            }
        }
        return hash
    }
}
