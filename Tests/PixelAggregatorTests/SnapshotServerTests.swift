import Foundation
import PixelAggregator
import PixelCore
import PixelPulseTesting
import Testing
import ZeroMQ

@Suite(.serialized) struct SnapshotServerTests {
    /// Sends one request (its frames) on a new DEALER and reads the reply up to its end marker.
    static func request(_ frames: [[UInt8]], endpoint: String, context: Context) throws -> (stats: [FeedMessage], end: FeedMessage) {
        let dealer = try context.socket(.dealer)
        defer { dealer.close() }
        try dealer.set(.receiveTimeout, to: .seconds(20))
        try dealer.set(.linger, to: .zero)
        try dealer.connect(endpoint)
        try dealer.send(frames)
        var stats: [FeedMessage] = []
        while true {
            let reply = try dealer.receiveMultipart()
            let message = FeedMessage(topic: String(decoding: reply[0], as: UTF8.self), body: reply[1])
            if message.topic == FeedTopic.snapshotEnd {
                return (stats, message)
            }
            stats.append(message)
        }
    }

    static func json(_ message: FeedMessage) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(message.body))) as? [String: Any] ?? [:]
    }

    @Test func aLateRequestGetsEveryMatchingKeyThenTheEndMarker() async throws {
        try await LiveAggregator.with { fixture in
            let now = Aggregator.wallClock()
            var batches: [EventBatch] = []
            for b in 0..<40 {
                var batch = EventBatch(collector: "edge-1", sequence: UInt64(b + 1))
                for i in 0..<250 {
                    batch.append(HitEvent(time: now, kind: .view, campaign: i % 2 == 0 ? "c1" : "c10",
                                          pixel: PixelID(unchecked: "p\((b * 250 + i) % 3000)")))
                }
                batches.append(batch)
            }
            _ = try await onSocketThread { [batches] in
                try sendAndAwaitAcks(batches.map { $0.encoded() }, to: fixture.endpoints.ingest, context: fixture.context)
            }
            let (stats, endMessage) = try await onSocketThread {
                try Self.request([Array("stats/c1/".utf8)], endpoint: fixture.endpoints.snapshot, context: fixture.context)
            }
            let end = Self.json(endMessage)
            let latest = IngestAndFeedTests.latest(stats)
            // c1 gets the even pixel numbers: 1500 pixels, plus its rollup; never c10.
            #expect(latest.count == 1501)
            #expect(latest["stats/c1/*/"]?.views == 5000)
            #expect(latest.values.reduce(0) { $0 + $1.views } == 10_000)
            #expect(stats.allSatisfy { $0.topic.hasPrefix("stats/c1/") })
            #expect(end["type"] as? String == "snapshotEnd")
            #expect(end["count"] as? Int == 1501)
            #expect(end["prefix"] as? String == "stats/c1/")
            #expect(end["startedAt"] as? Int == Int(fixture.aggregator.startedAt))
            let seq = try #require(end["seq"] as? Int)
            for message in stats {
                let body = try JSONSerialization.jsonObject(with: Data(message.body)) as? [String: Any]
                #expect(body?["seq"] as? Int ?? 0 >= seq, "each key is read at or after the snapshot's seq")
            }
        }
    }

    @Test func aSnapshotOfSeveralChunksHasEveryKeyOnceWhileIngestionGoesOn() async throws {
        try await LiveAggregator.with { fixture in
            let now = Aggregator.wallClock()
            let batches = (0..<6).map { b in
                var batch = EventBatch(collector: "edge-1", sequence: UInt64(b + 1))
                for i in 0..<1000 { batch.append(HitEvent(time: now, kind: .view, campaign: "big", pixel: PixelID(unchecked: "p\(b)-\(i)"))) }
                return batch.encoded()
            }
            _ = try await onSocketThread { try sendAndAwaitAcks(batches, to: fixture.endpoints.ingest, context: fixture.context) }
            let late = EventBatch(collector: "edge-2", sequence: 1).encoded()
            async let snapshot = onSocketThread {
                try Self.request([Array("stats/big/".utf8)], endpoint: fixture.endpoints.snapshot, context: fixture.context)
            }
            async let acks = onSocketThread { try sendAndAwaitAcks([late], to: fixture.endpoints.ingest, context: fixture.context) }
            let (stats, end) = try await snapshot
            #expect(try await acks == [IngestAck(sequence: 1, status: .accepted)])
            #expect(stats.count == 6_001)
            #expect(Set(stats.map(\.topic)).count == 6_001)
            #expect(Self.json(end)["count"] as? Int == 6_001)
            #expect(IngestAndFeedTests.latest(stats)["stats/big/*/"]?.views == 6_000)
        }
    }

    @Test func malformedRequestsAreAnsweredWithAnErrorAndTheServerGoesOn() async throws {
        try await LiveAggregator.with { fixture in
            let requests: [[[UInt8]]] = [
                [Array("stats/".utf8), Array("extra".utf8)],
                [Array(repeating: UInt8(ascii: "a"), count: 257)],
                [[0xFF, 0xFE, 0x80]],
                [[], [], []],
            ]
            let answers = try await onSocketThread {
                try requests.map { try Self.request($0, endpoint: fixture.endpoints.snapshot, context: fixture.context) }
            }
            for answer in answers {
                #expect(answer.stats.isEmpty)
                #expect(Self.json(answer.end)["count"] as? Int == 0)
                #expect(Self.json(answer.end)["error"] is String)
            }
            // Exactly 256 bytes and the empty prefix are fine.
            let fine = try await onSocketThread {
                [try Self.request([Array(repeating: UInt8(ascii: "a"), count: 256)], endpoint: fixture.endpoints.snapshot, context: fixture.context),
                 try Self.request([[]], endpoint: fixture.endpoints.snapshot, context: fixture.context)]
            }
            #expect(fine.allSatisfy { Self.json($0.end)["error"] == nil && Self.json($0.end)["count"] as? Int == 0 })
        }
    }
}
