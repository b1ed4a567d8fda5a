import PixelCore
import ZeroMQ

/// The socket side of one ``FeedClient/updates(prefix:)`` stream: lives on its thread.
final class FeedSession {
    private enum Phase {
        /// Subscribed; waiting for a heartbeat to prove the subscription is live.
        case subscribing
        /// Snapshot requested at `since`; live messages are buffered meanwhile.
        case awaitingSnapshot(since: ContinuousClock.Instant)
        case live
    }

    private let feed: String
    private let snapshotEndpoint: String
    private let prefix: String
    private let context: Context
    private let silenceTimeout: Duration
    private let snapshotTimeout: Duration
    private let curve: CurveClientCredentials?

    private var phase = Phase.subscribing
    /// Why the next snapshot is taken; `nil` for the first.
    private var reason: ResyncReason?
    private var state = FeedState()
    /// The `seq` of the snapshot in use: nothing at or below it is applied.
    private var snapshotSeq: UInt64 = 0
    /// The last `seq` seen on the feed, for exact gap detection with the empty prefix.
    private var lastSeq: UInt64 = 0
    private var buffer: [(topic: String, body: [UInt8])] = []
    private var snapshot: [(topic: String, body: [UInt8])] = []
    private var lastMessage = ContinuousClock.now

    init(
        feed: String, snapshot: String, prefix: String, context: Context, silenceTimeout: Duration, snapshotTimeout: Duration,
        curve: CurveClientCredentials?
    ) {
        self.feed = feed
        snapshotEndpoint = snapshot
        self.prefix = prefix
        self.context = context
        self.silenceTimeout = silenceTimeout
        self.snapshotTimeout = snapshotTimeout
        self.curve = curve
    }

    func run(isStopped: () -> Bool, yield: (FeedState) -> Void) throws {
        guard prefix.utf8.count <= 256 else { throw FeedClientError.prefixTooLong }
        let sub = try context.socket(.sub)
        defer { sub.close() }
        try sub.set(.linger, to: .zero)
        try sub.set(.receiveHighWaterMark, to: 100_000)
        if let curve { try sub.makeCurveClient(curve) }
        try sub.subscribe(prefix)
        if !FeedTopic.heartbeat.hasPrefix(prefix) { try sub.subscribe(FeedTopic.heartbeat) }
        try sub.connect(feed)
        var dealer = try makeDealer()
        defer { dealer.close() }
        var poller = Self.poller(sub, dealer)
        while !isStopped() {
            _ = try poller.poll(timeout: .milliseconds(100))
            var changed: [String] = []
            var alerts: [FeedAlert] = []
            var heartbeat = false
            var drained = 0
            while drained < 10_000, let frames = try sub.tryReceiveMultipart() {
                drained += 1
                guard frames.count == 2 else { continue }
                lastMessage = .now
                let topic = String(decoding: frames[0], as: UTF8.self)
                switch phase {
                case .subscribing, .awaitingSnapshot:
                    buffer.append((topic, frames[1]))
                    if topic == FeedTopic.heartbeat, case .subscribing = phase {
                        try request(on: dealer)
                    }
                case .live:
                    if topic == FeedTopic.heartbeat {
                        guard let beat = FeedHeartbeat(json: frames[1]) else { continue }
                        if beat.startedAt != state.startedAt {
                            resync(.restarted)
                            buffer.append((topic, frames[1]))
                            try request(on: dealer)
                            continue
                        }
                        if !checkSequence(beat.seq) { continue }
                        state.heartbeat = beat
                        heartbeat = true
                    } else if topic.hasPrefix(FeedTopic.alertsPrefix) {
                        guard let alert = FeedAlert(json: frames[1]), checkSequence(alert.seq) else { continue }
                        if alert.seq > snapshotSeq, state.apply(alert) { alerts.append(alert) }
                    } else if topic.hasPrefix(FeedTopic.segmentsPrefix) {
                        guard let breakdown = FeedSegments(json: frames[1]), checkSequence(breakdown.seq) else { continue }
                        if breakdown.seq > snapshotSeq, state.apply(topic: topic, breakdown) { changed.append(topic) }
                    } else if let stats = FeedStats(json: frames[1]) {
                        if !checkSequence(stats.seq) { continue }
                        if stats.seq > snapshotSeq, state.apply(topic: topic, stats) { changed.append(topic) }
                    }
                }
            }
            if case .live = phase {
                if !alerts.isEmpty {
                    state.event = .alerts(alerts)
                    yield(state)
                }
                if !changed.isEmpty {
                    state.event = .update(changed)
                    yield(state)
                } else if heartbeat {
                    state.event = .heartbeat
                    yield(state)
                }
            }
            if case .awaitingSnapshot(let since) = phase {
                while let frames = try dealer.tryReceiveMultipart() {
                    guard frames.count == 2 else { continue }
                    let topic = String(decoding: frames[0], as: UTF8.self)
                    guard topic == FeedTopic.snapshotEnd else {
                        snapshot.append((topic, frames[1]))
                        continue
                    }
                    guard let end = SnapshotEnd(json: frames[1]) else { continue }
                    if let error = end.error { throw FeedClientError.snapshotRefused(error) }
                    complete(end)
                    yield(state)
                    break
                }
                if case .awaitingSnapshot = phase, ContinuousClock.now - since > snapshotTimeout {
                    // A new socket, so a late answer to the old request cannot be mistaken for this one.
                    dealer.close()
                    dealer = try makeDealer()
                    poller = Self.poller(sub, dealer)
                    try request(on: dealer)
                }
            }
            if ContinuousClock.now - lastMessage > silenceTimeout {
                lastMessage = .now
                if case .live = phase {
                    resync(.silence)
                    state.event = .silent
                    yield(state)
                } else {
                    phase = .subscribing
                    buffer.removeAll()
                }
                dealer.close()
                dealer = try makeDealer()
                poller = Self.poller(sub, dealer)
            }
        }
    }

    /// With the empty prefix every `seq` arrives, so a skipped number is a loss: resync.
    private func checkSequence(_ seq: UInt64) -> Bool {
        defer { lastSeq = max(lastSeq, seq) }
        guard prefix.isEmpty, lastSeq != 0, seq != lastSeq + 1 else { return true }
        resync(.gap)
        phase = .subscribing
        return false
    }

    /// Forgets the live state's freshness and starts over from the subscription step.
    private func resync(_ why: ResyncReason) {
        reason = why
        phase = .subscribing
        buffer.removeAll()
        snapshot.removeAll()
    }

    private func request(on dealer: Socket) throws {
        snapshot.removeAll()
        try dealer.send(Array(prefix.utf8))
        phase = .awaitingSnapshot(since: .now)
    }

    /// Applies the snapshot, then the buffered updates above its `seq`, in order.
    private func complete(_ end: SnapshotEnd) {
        var fresh = FeedState()
        fresh.startedAt = end.startedAt
        fresh.seq = end.seq
        fresh.heartbeat = state.heartbeat
        for (topic, body) in snapshot {
            if topic.hasPrefix(FeedTopic.alertsPrefix) {
                if let alert = FeedAlert(json: body) { fresh.alerts[alert.fingerprint] = alert }
            } else if topic.hasPrefix(FeedTopic.segmentsPrefix) {
                if let breakdown = FeedSegments(json: body) { fresh.segments[topic] = breakdown }
            } else if let stats = FeedStats(json: body) {
                fresh.stats[topic] = stats
            }
        }
        snapshotSeq = end.seq
        lastSeq = end.seq
        for (topic, body) in buffer {
            if topic == FeedTopic.heartbeat {
                guard let beat = FeedHeartbeat(json: body), beat.startedAt == end.startedAt else { continue }
                fresh.heartbeat = beat
                lastSeq = max(lastSeq, beat.seq)
            } else if topic.hasPrefix(FeedTopic.alertsPrefix) {
                guard let alert = FeedAlert(json: body), alert.seq > end.seq else { continue }
                fresh.apply(alert)
                lastSeq = max(lastSeq, alert.seq)
            } else if topic.hasPrefix(FeedTopic.segmentsPrefix) {
                guard let breakdown = FeedSegments(json: body), breakdown.seq > end.seq else { continue }
                fresh.apply(topic: topic, breakdown)
                lastSeq = max(lastSeq, breakdown.seq)
            } else if let stats = FeedStats(json: body), stats.seq > end.seq {
                fresh.apply(topic: topic, stats)
                lastSeq = max(lastSeq, stats.seq)
            }
        }
        fresh.event = reason.map { .resynced($0) } ?? .snapshot
        state = fresh
        buffer.removeAll()
        snapshot.removeAll()
        phase = .live
    }

    private func makeDealer() throws -> Socket {
        let dealer = try context.socket(.dealer)
        try dealer.set(.linger, to: .zero)
        try dealer.set(.receiveHighWaterMark, to: 0)
        if let curve { try dealer.makeCurveClient(curve) }
        try dealer.connect(snapshotEndpoint)
        return dealer
    }

    private static func poller(_ sub: Socket, _ dealer: Socket) -> Poller {
        let poller = Poller()
        poller.register(sub)
        poller.register(dealer)
        return poller
    }
}
