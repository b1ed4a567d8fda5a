import PixelAggregator
import PixelAlerts
import PixelCore
import PixelPulseClient
import PixelPulseTesting
import Synchronization
import Testing
import ZeroMQ

/// Alerts through the Clone recipe: live as they fire and resolve, and in the first state of
/// a client that joins while one is firing.
@Suite(.timeLimit(.minutes(2))) struct FeedClientAlertTests {
    @Test func clientsSeeAlertsLiveAndFiringOnesInTheirSnapshot() async throws {
        let context = try Context()
        let time = Atomic<Int64>(1_790_000_000_000)
        let windows = try WindowConfiguration(windows: [WindowSpec(parsing: "6s"), WindowSpec(parsing: "1m")])
        let rule = AlertRule(name: "quiet", kind: .silence, scope: .pixels, window: windows.windows[0],
                             baseline: windows.windows[1], recover: 0.5, minVolume: 5, holdFor: 0, cooldown: 0)
        let live = try await LiveAggregator.start(LiveAggregator.configuration(windows: windows, alertRules: [rule]), clock: { time.load(ordering: .relaxed) },
                                                  context: context)
        let client = FeedClient(feed: live.endpoints.feed, snapshot: live.endpoints.snapshot, context: context)
        var states = client.updates(prefix: "alerts/").makeAsyncIterator()
        #expect(try await states.next()?.alerts.isEmpty == true)

        var sequence: UInt64 = 0
        func seconds(_ count: Int, views: Int) async throws {
            for _ in 0..<count {
                if views > 0 {
                    sequence += 1
                    var batch = EventBatch(collector: "edge", sequence: sequence)
                    for _ in 0..<views {
                        batch.append(HitEvent(time: time.load(ordering: .relaxed), kind: .view, campaign: "shop", pixel: "hero"))
                    }
                    try await send([batch], to: live.endpoints.ingest, context: context)
                }
                time.add(1000, ordering: .relaxed)
            }
        }
        try await seconds(20, views: 10)
        try await seconds(7, views: 0)

        // Live as an alert event; on a machine busy enough to miss a heartbeat, through the
        // client's resync instead: either way the state holds the firing alert.
        let fired = try await Self.next(&states) { !$0.alerts.isEmpty }
        let alerts = Array(fired.alerts.values)
        if case .alerts = fired.event { #expect(fired.alertsEvent.map(\.status) == ["firing"]) }
        #expect(alerts.map(\.status) == ["firing"])
        #expect(alerts.first?.rule == "quiet")
        #expect(alerts.first?.pixel == "hero")
        #expect(fired.alerts.count == 1)
        let beat = try await Self.nextHeartbeat(&states)
        #expect(beat.heartbeat?.firingAlerts == 1)

        // A client joining now starts with the firing alert; one for another campaign does not.
        var late = FeedClient(feed: live.endpoints.feed, snapshot: live.endpoints.snapshot, context: context)
            .updates(prefix: "alerts/shop/").makeAsyncIterator()
        let joined = try #require(try await late.next())
        #expect(joined.event == .snapshot)
        #expect(joined.alerts.values.map(\.fingerprint) == alerts.map(\.fingerprint))
        var other = FeedClient(feed: live.endpoints.feed, snapshot: live.endpoints.snapshot, context: context)
            .updates(prefix: "alerts/shop-2/").makeAsyncIterator()
        #expect(try await other.next()?.alerts.isEmpty == true)

        try await seconds(6, views: 10)
        let resolved = try await Self.next(&states) { $0.alerts.isEmpty }
        if case .alerts = resolved.event {
            #expect(resolved.alertsEvent.map(\.status) == ["resolved"])
            #expect(resolved.alertsEvent.map(\.fingerprint) == alerts.map(\.fingerprint))
        }
        try await live.stop()
    }

    struct StreamEnded: Error {}

    /// The next state that `matches`, skipping the others.
    static func next(
        _ states: inout AsyncThrowingStream<FeedState, any Error>.AsyncIterator, where matches: (FeedState) -> Bool
    ) async throws -> FeedState {
        while let state = try await states.next() {
            if matches(state) { return state }
        }
        throw StreamEnded()
    }

    static func nextHeartbeat(_ states: inout AsyncThrowingStream<FeedState, any Error>.AsyncIterator) async throws -> FeedState {
        try await next(&states) { $0.event == .heartbeat }
    }
}

extension FeedState {
    /// The alerts of an `.alerts` event; empty for other events.
    var alertsEvent: [FeedAlert] {
        if case .alerts(let alerts) = event { alerts } else { [] }
    }
}
