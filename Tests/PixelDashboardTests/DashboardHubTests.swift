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
        return state
    }

    @Test func aClientThatFallsBehindIsClosedAndCounted() async throws {
        let hub = DashboardHub(ringCapacity: 100, queueLimit: 4)
        hub.apply(Self.heartbeat(1), now: 1)
        let slow = hub.subscribe(prefix: "", lastEventID: nil)
        for seq in 2...10 { hub.apply(Self.heartbeat(UInt64(seq)), now: Int64(seq)) }
        #expect(hub.slowClientsClosed == 1)
        var received = 0
        for await _ in slow { received += 1 }
        #expect(received == 4, "what was queued is delivered, then the stream ends")
        #expect(hub.clients == 0)
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

    @Test func aPrefixSelectsStatsAndTheirAlerts() {
        #expect(DashboardPrefix.matchesAlert(topic: "alerts/c1/p1/", prefix: "stats/c1/"))
        #expect(DashboardPrefix.matchesAlert(topic: "alerts/c1/p1/", prefix: "alerts/"))
        #expect(!DashboardPrefix.matchesAlert(topic: "alerts/c10/p1/", prefix: "stats/c1/"))
        #expect(DashboardPrefix.matchesAlert(topic: "alerts/c1/p1/", prefix: ""))
    }

    @Test func tokensCompareWhole() {
        #expect(DashboardAccess.constantTimeEquals(Array("secret-token".utf8), Array("secret-token".utf8)))
        #expect(!DashboardAccess.constantTimeEquals(Array("secret-toke".utf8), Array("secret-token".utf8)))
        #expect(!DashboardAccess.constantTimeEquals(Array("secret-tokenn".utf8), Array("secret-token".utf8)))
        #expect(!DashboardAccess.constantTimeEquals([UInt8](), [UInt8]()))
        #expect(DashboardAccess.isLoopback("127.0.0.1") && DashboardAccess.isLoopback("::1") && !DashboardAccess.isLoopback("0.0.0.0"))
    }
}
