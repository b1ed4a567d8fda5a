import PixelCore
@testable import PixelDashboard
import PixelPulseClient
import Testing

@Suite struct DashboardHubTests {
    static func heartbeat(_ seq: UInt64, startedAt: Int64 = 1_000) -> FeedState {
        var state = FeedState()
        state.startedAt = startedAt
        state.seq = seq
        state.heartbeat = FeedHeartbeat(
            seq: seq, time: 2_000 + Int64(seq), startedAt: startedAt, activeKeys: 0, ingestRate: 0, events: 0, duplicates: 0,
            tooLate: 0, tooFarInFuture: 0, batches: 0, duplicateBatches: 0, rejectedBatches: 0, published: seq, firingAlerts: 0)
        state.event = seq == 1 ? .snapshot : .heartbeat
        state.serial = seq
        return state
    }

    @Test func aClientThatFallsBehindIsClosedAndCounted() async throws {
        let one = DashboardMessage(kind: .heartbeat, topic: "heartbeat/", seq: 2, body: Self.heartbeat(2).heartbeat!.encoded())
        // Room for four heartbeats not yet written (their seq grows by a digit at most).
        let hub = DashboardHub(ringCapacity: 100, queueLimit: 4 * (one.event.count + 1))
        hub.apply(Self.heartbeat(1), now: 1)
        let (slow, _) = hub.subscribe(.everything, lastEventID: nil)
        for seq in 2...10 { hub.apply(Self.heartbeat(UInt64(seq)), now: Int64(seq)) }
        #expect(hub.slowClientsClosed == 1)
        var received: [String] = []
        for await item in slow {
            switch item {
            case .state: received.append("state")
            case .messages(let messages): received += messages.map { "\($0.seq)" }
            case .cut: received.append("cut")
            default: received.append("other")
            }
        }
        #expect(received == ["state", "2", "3", "4", "5", "cut"], "what was queued is delivered, then the connection is cut")
        #expect(hub.clients == 0)
    }

    @Test func aWrittenBacklogLeavesRoomForMore() async throws {
        let one = DashboardMessage(kind: .heartbeat, topic: "heartbeat/", seq: 2, body: Self.heartbeat(2).heartbeat!.encoded())
        let hub = DashboardHub(ringCapacity: 100, queueLimit: 2 * (one.event.count + 1))
        hub.apply(Self.heartbeat(1), now: 1)
        let (stream, backlog) = hub.subscribe(.everything, lastEventID: nil)
        var items = stream.makeAsyncIterator()
        _ = await items.next()  // the state
        for seq in 2...20 {
            hub.apply(Self.heartbeat(UInt64(seq)), now: Int64(seq))
            guard case .messages(let messages) = await items.next() else { Issue.record("no messages"); return }
            backlog.written(messages.reduce(0) { $0 + $1.event.count })
        }
        #expect(hub.slowClientsClosed == 0 && hub.clients == 1)
    }

    @Test func statesSkippedByTheFeedClientSendAFreshState() async throws {
        let hub = DashboardHub()
        hub.apply(Self.heartbeat(1), now: 1)
        let (stream, _) = hub.subscribe(.everything, lastEventID: nil)
        var items = stream.makeAsyncIterator()
        guard case .state = await items.next() else { Issue.record("no state first"); return }
        hub.apply(Self.heartbeat(2), now: 2)
        guard case .messages(let messages) = await items.next() else { Issue.record("no heartbeat"); return }
        #expect(messages.map(\.seq) == [2])
        hub.apply(Self.heartbeat(5), now: 5)  // 3 and 4 were dropped: what they changed is not named
        guard case .state(let state) = await items.next() else { Issue.record("no fresh state"); return }
        #expect(state.seq == 5 && hub.statesSkipped == 1)
    }

    @Test func theRingReplaysAfterAnIDItHoldsAndNotAfterOneItDropped() {
        var ring = FeedRing(capacity: 4)
        ring.reset(at: 10)
        for seq in [11, 13, 12, 14] as [UInt64] { ring.append(DashboardMessage(kind: .heartbeat, topic: "heartbeat/", seq: seq, body: [])) }
        #expect(ring.messages(after: 11, latest: 14)?.map(\.seq) == [12, 13, 14], "in seq order")
        #expect(ring.messages(after: 9, latest: 14) == nil, "before the snapshot")
        #expect(ring.messages(after: 15, latest: 14) == nil, "from another run")
        for seq in 15...20 as ClosedRange<UInt64> { ring.append(DashboardMessage(kind: .heartbeat, topic: "heartbeat/", seq: seq, body: [])) }
        #expect(ring.messages(after: 11, latest: 20) == nil)
        #expect(ring.messages(after: 18, latest: 20)?.map(\.seq) == [19, 20])
    }

    @Test func aSelectionTakesItsPrefixesTheirAlertsAndOptionallyEveryRollup() {
        let campaign = DashboardSelection(prefixes: ["stats/c1/"], rollups: false)
        #expect(campaign.matchesStats(topic: "stats/c1/p1/") && campaign.matchesStats(topic: "stats/c1/*/"))
        #expect(!campaign.matchesStats(topic: "stats/c10/p1/"))
        #expect(campaign.matchesAlert(topic: "alerts/c1/p1/") && !campaign.matchesAlert(topic: "alerts/c10/p1/"))

        let overview = DashboardSelection(prefixes: ["alerts/", "stats/c2/"], rollups: true)
        #expect(overview.matchesStats(topic: "stats/c1/*/") && overview.matchesStats(topic: "stats/c9/*/"))
        #expect(!overview.matchesStats(topic: "stats/c1/p1/"), "a rollup only, unless a prefix selects the pixel")
        #expect(overview.matchesStats(topic: "stats/c2/p1/"))
        #expect(overview.matchesAlert(topic: "alerts/c1/p1/"), "alerts/ selects every alert")

        let rollups = DashboardSelection(prefixes: [], rollups: true)
        #expect(rollups.matchesAlert(topic: "alerts/c1/*/") && !rollups.matchesAlert(topic: "alerts/c1/p1/"))
        #expect(DashboardSelection(prefixes: [], rollups: false) == .everything)
        #expect(DashboardSelection.everything.matchesAlert(topic: "alerts/c1/p1/"))
        #expect(DashboardSelection.isRollup("stats/c/*/") && !DashboardSelection.isRollup("stats/c/p/"))
    }

    @Test func tokensCompareWhole() {
        #expect(DashboardAccess.constantTimeEquals(Array("secret-token".utf8), Array("secret-token".utf8)))
        #expect(!DashboardAccess.constantTimeEquals(Array("secret-toke".utf8), Array("secret-token".utf8)))
        #expect(!DashboardAccess.constantTimeEquals(Array("secret-tokenn".utf8), Array("secret-token".utf8)))
        #expect(!DashboardAccess.constantTimeEquals([UInt8](), [UInt8]()))
        #expect(DashboardAccess.isLoopback("127.0.0.1") && DashboardAccess.isLoopback("::1") && !DashboardAccess.isLoopback("0.0.0.0"))
    }
}
