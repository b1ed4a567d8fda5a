import PixelCore
import Testing

/// The feed's JSON bodies exactly as the aggregator writes them, and read back as clients
/// read them.
@Suite struct FeedBodyTests {
    @Test func aStatsBodyCarriesBotsAfterTheValue() throws {
        let window = try WindowSpec(parsing: "1m")
        let body = FeedStats.encode(
            seq: 4, time: 1_790_000_000_250, campaign: "spring", pixel: nil, windows: [window],
            counts: [Counts(views: 40, clicks: 2, conversions: 1, value: 1999, bots: 7, uniques: 31)])
        #expect(String(decoding: body, as: UTF8.self) == """
            {"type":"stats","seq":4,"time":1790000000250,"campaign":"spring","pixel":null,"windows":{"1m":\
            {"views":40,"clicks":2,"conversions":1,"value":1999,"bots":7,"uniques":31,"uniquesError":0,"ctr":0.05,"cvr":0.5}}}
            """)
        let stats = try #require(FeedStats(json: body))
        #expect(stats.windows["1m"]?.bots == 7)
        #expect(stats.windows["1m"]?.views == 40)
    }

    @Test func aSeriesBodyCarriesOneNumberPerStepAndReadsBack() throws {
        let window = try WindowSpec(length: 3000, step: 50)
        var slots = Array(repeating: Counts(), count: 60)
        slots[0] = Counts(views: 2, clicks: 1)
        slots[59] = Counts(conversions: 1, value: 1999, bots: 3)
        let series = WindowSeries(window: window, start: 1_790_000_000_000, slots: slots)
        let body = FeedSeries.encode(seq: 9, time: 1_790_000_002_990, campaign: "spring", pixel: "p1", series: series)
        func list(_ first: Int, _ last: Int) -> String {
            "[" + ([String(first)] + Array(repeating: "0", count: 58) + [String(last)]).joined(separator: ",") + "]"
        }
        #expect(String(decoding: body, as: UTF8.self) == """
            {"type":"series","seq":9,"time":1790000002990,"campaign":"spring","pixel":"p1","window":"3s",\
            "step":50,"start":1790000000000,"views":\(list(2, 0)),"clicks":\(list(1, 0)),\
            "conversions":\(list(0, 1)),"value":\(list(0, 1999)),"bots":\(list(0, 3))}
            """)
        let read = try #require(FeedSeries(json: body))
        #expect(read.count == 60)
        #expect(read.window == "3s" && read.step == 50 && read.start == 1_790_000_000_000)
        #expect(read.pixel == "p1" && read.seq == 9)
        #expect((0..<60).map { read[$0] } == slots)
        #expect(FeedSeries(json: Array(#"{"type":"series","seq":1,"time":1,"campaign":"c","pixel":null,"window":"1h","step":60000,"start":0,"views":[1],"clicks":[],"conversions":[],"value":[],"bots":[]}"#.utf8)) == nil)
    }

    @Test func aStatsBodyWithoutBotsReadsZero() throws {
        let body = #"{"type":"stats","seq":4,"time":1,"campaign":"c","pixel":"p","windows":{"1m":{"views":1,"clicks":0,"conversions":0,"value":0,"uniques":null,"ctr":0,"cvr":null}}}"#
        let stats = try #require(FeedStats(json: Array(body.utf8)))
        #expect(stats.windows["1m"]?.bots == 0)
        #expect(stats.windows["1m"]?.uniques == nil)
    }

    @Test func aHeartbeatCarriesTheEventIDsRememberedAndForgottenAfterTheDuplicates() throws {
        let heartbeat = FeedHeartbeat(
            seq: 7, time: 1_790_000_001_000, startedAt: 1_790_000_000_000, activeKeys: 12, ingestRate: 20480.5, events: 123_456,
            duplicates: 3, eventIDsRemembered: 5120, eventIDsForgotten: 9, tooLate: 0, tooFarInFuture: 0, batches: 480,
            duplicateBatches: 0, rejectedBatches: 0, published: 6, unsubscribed: 2, firingAlerts: 0, pixelInterval: 500,
            feedShare: 0.31, feedBacklog: 40)
        #expect(String(decoding: heartbeat.encoded(), as: UTF8.self) == """
            {"type":"heartbeat","seq":7,"time":1790000001000,"startedAt":1790000000000,"activeKeys":12,\
            "ingestRate":20480.5,"events":123456,"duplicates":3,"eventIDsRemembered":5120,"eventIDsForgotten":9,\
            "tooLate":0,"tooFarInFuture":0,"batches":480,"duplicateBatches":0,"rejectedBatches":0,"published":6,\
            "unsubscribed":2,"firingAlerts":0,"pixelInterval":500,"feedShare":0.31,"feedBacklog":40}
            """)
        #expect(FeedHeartbeat(json: heartbeat.encoded()) == heartbeat)
        // From an aggregator that does not send them.
        let older = #"{"type":"heartbeat","seq":7,"time":1,"startedAt":1,"activeKeys":0,"ingestRate":0,"events":0,"duplicates":0,"tooLate":0,"tooFarInFuture":0,"batches":0,"duplicateBatches":0,"rejectedBatches":0}"#
        let read = try #require(FeedHeartbeat(json: Array(older.utf8)))
        #expect(read.eventIDsRemembered == nil && read.eventIDsForgotten == nil)
    }
}
