import Foundation
import PixelAggregator
import PixelCore
import PixelPulseTesting
import Testing
import ZeroMQ

/// The snapshot socket's series request, over real sockets, with a driven clock.
@Suite(.serialized) struct SeriesRequestTests {
    /// Half a minute into a minute, so every minute back is a whole step of the hour.
    static let now: Int64 = 1_790_000_000_000 / 60_000 * 60_000 + 30_000

    static func request(_ frames: [String], _ fixture: LiveAggregator) async throws -> (replies: [FeedMessage], end: SnapshotEnd) {
        let (replies, end) = try await onSocketThread {
            try SnapshotServerTests.request(frames.map { Array($0.utf8) }, endpoint: fixture.endpoints.snapshot, context: fixture.context)
        }
        return (replies, try #require(SnapshotEnd(json: end.body)))
    }

    /// Minute *m* back (0 = the current one) gets *m* + 1 views of `c1/p1`; minute 2 a
    /// click and minute 59 a conversion worth 1999; `c10/p1` gets 7 views now.
    static func sendKnownHits(_ fixture: LiveAggregator) async throws {
        var batch = EventBatch(collector: "edge-1", sequence: 1)
        for minute in 0..<60 {
            for _ in 0...minute {
                batch.append(HitEvent(time: now - Int64(minute) * 60_000, kind: .view, campaign: "c1", pixel: "p1"))
            }
        }
        batch.append(HitEvent(time: now - 2 * 60_000 - 29_000, kind: .click, campaign: "c1", pixel: "p1"))
        batch.append(HitEvent(time: now - 59 * 60_000 + 29_000, kind: .conversion, campaign: "c1", pixel: "p1", value: 1999))
        for _ in 0..<7 { batch.append(HitEvent(time: now, kind: .view, campaign: "c10", pixel: "p1")) }
        let frames = [batch.encoded()]
        _ = try await onSocketThread { try sendAndAwaitAcks(frames, to: fixture.endpoints.ingest, context: fixture.context) }
    }

    @Test func theLastHourMinuteByMinuteForEachMatchingKey() async throws {
        let clock = TestClock(Self.now)
        try await LiveAggregator.with(clock: clock.function) { fixture in
            try await Self.sendKnownHits(fixture)
            let (replies, end) = try await Self.request(["series", "stats/c1/"], fixture)
            #expect(end.error == nil)
            #expect(end.count == 2)
            #expect(end.prefix == "stats/c1/")
            #expect(replies.map(\.topic).sorted() == ["stats/c1/*/", "stats/c1/p1/"], "never c10")
            for reply in replies {
                let series = try #require(FeedSeries(json: reply.body))
                #expect(series.campaign == "c1")
                #expect(series.pixel == (reply.topic == "stats/c1/*/" ? nil : "p1"))
                #expect(series.window == "1h" && series.step == 60_000)
                #expect(series.start == Self.now - 30_000 - 59 * 60_000)
                #expect(series.views == (1...60).reversed().map { UInt64($0) })
                #expect(series.clicks == (0..<60).map { $0 == 57 ? 1 : 0 })
                #expect(series.conversions == (0..<60).map { $0 == 0 ? 1 : 0 })
                #expect(series.value == (0..<60).map { $0 == 0 ? 1999 : 0 })
                #expect(series.bots == Array(repeating: 0, count: 60))
                #expect(series.seq >= end.seq)
            }
        }
    }

    @Test func aNamedWindowGoesStepByStepAndSlides() async throws {
        let clock = TestClock(Self.now)
        try await LiveAggregator.with(clock: clock.function) { fixture in
            try await Self.sendKnownHits(fixture)
            do {
                let (replies, end) = try await Self.request(["series", "stats/c10/p1/", "1m"], fixture)
                #expect(end.count == 1)
                let series = try #require(replies.first.flatMap { FeedSeries(json: $0.body) })
                #expect(series.window == "1m" && series.step == 1000)
                #expect(series.start == Self.now - 59_000)
                #expect(series.views == Array(repeating: 0, count: 59) + [7])
            }
            clock.advance(by: 2 * 60_000)
            let (replies, _) = try await Self.request(["series", "stats/c1/p1/", "1h"], fixture)
            let series = try #require(replies.first.flatMap { FeedSeries(json: $0.body) })
            #expect(series.start == Self.now - 30_000 - 57 * 60_000)
            #expect(series.views == (1...58).reversed().map { UInt64($0) } + [0, 0])
        }
    }

    @Test func anUnknownWindowGetsAnErrorNamingTheWindowsKept() async throws {
        try await LiveAggregator.with { fixture in
            let (replies, end) = try await Self.request(["series", "stats/", "2h"], fixture)
            #expect(replies.isEmpty)
            #expect(end.count == 0 && end.seq == 0)
            #expect(end.prefix == "stats/")
            #expect(end.error == "unknown window \"2h\"; windows kept: 1m, 5m, 15m, 1h")
        }
    }

    @Test func malformedRequestsAreStillAnsweredAndTheSocketGoesOn() async throws {
        let clock = TestClock(Self.now)
        try await LiveAggregator.with(clock: clock.function) { fixture in
            try await Self.sendKnownHits(fixture)
            for frames in [["series", "stats/", "1h", "extra"], ["stats/", "extra"], ["history", "stats/", "1h"],
                           ["series", String(repeating: "x", count: 257)]] {
                let (replies, end) = try await Self.request(frames, fixture)
                #expect(replies.isEmpty, "\(frames.map(\.count))")
                #expect(end.count == 0 && end.error != nil, "\(frames.map(\.count))")
            }
            // One frame is still a snapshot request, even one that reads "series".
            let (replies, end) = try await Self.request(["series"], fixture)
            #expect(replies.isEmpty && end.error == nil)
            let (series, _) = try await Self.request(["series", ""], fixture)
            #expect(Set(series.map(\.topic)) == ["stats/c1/*/", "stats/c1/p1/", "stats/c10/*/", "stats/c10/p1/"])
        }
    }
}
