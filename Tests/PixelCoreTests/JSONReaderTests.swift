import Foundation
import PixelCore
import PixelPulseTesting
import Testing

/// The in-place reader behind ``FeedStats/init(json:)``, checked against Foundation's
/// `JSONDecoder` (the reference): the same values from every body the aggregator writes and
/// from hand-written variants, and `nil` wherever the reference refuses.
@Suite struct JSONReaderTests {
    /// The reference: Foundation's decoder, through `FeedStats`'s `Decodable` conformance.
    static func reference(_ body: [UInt8]) -> FeedStats? {
        try? JSONDecoder().decode(FeedStats.self, from: Data(body))
    }

    static func same(_ read: FeedStats?, _ reference: FeedStats?) -> Bool {
        read?.seq == reference?.seq && read?.time == reference?.time && read?.campaign == reference?.campaign
            && read?.pixel == reference?.pixel && read?.windows == reference?.windows
    }

    @Test func everyBodyTheAggregatorWritesReadsAsTheReferenceReadsIt() throws {
        var random = SplitMix64(seed: 14)
        let windows = try ["1m", "5m", "15m", "1h"].map { try WindowSpec(parsing: $0) }
        for round in 0..<2_000 {
            let counts = windows.map { _ in
                Counts(
                    views: .random(in: 0...UInt64(1) << UInt64.random(in: 0...63, using: &random), using: &random),
                    clicks: .random(in: 0...1_000, using: &random), conversions: .random(in: 0...50, using: &random),
                    value: .random(in: 0...UInt64.max, using: &random), bots: .random(in: 0...9, using: &random),
                    uniques: round % 3 == 0 ? nil : .random(in: 0...1_000_000, using: &random))
            }
            let pixel: PixelID? = round % 2 == 0 ? nil : PixelID(unchecked: "p\(round)")
            let body = FeedStats.encode(
                seq: .random(in: 0...UInt64.max, using: &random), time: .random(in: Int64.min...Int64.max, using: &random),
                campaign: CampaignID(unchecked: "c-\(round)"), pixel: pixel, windows: windows, counts: counts)
            let read = try #require(FeedStats(json: body), "\(String(decoding: body, as: UTF8.self))")
            #expect(Self.same(read, Self.reference(body)), "\(String(decoding: body, as: UTF8.self))")
            #expect(read.body == body)
        }
    }

    @Test func idsThatNeedEscapingAndExtremeNumbersWriteValidJSON() throws {
        let windows = try ["1m", "90s", "1500ms", "2h"].map { try WindowSpec(parsing: $0) }
        let extremes = [
            Counts(views: .max, clicks: .max, conversions: .max, value: .max, bots: .max, uniques: .max),
            Counts(views: 1, clicks: 3, conversions: 0, value: 0, bots: 0, uniques: nil),
            Counts(views: 3, clicks: 1, conversions: 1, value: 1, bots: 1, uniques: 0),
            Counts(),
        ]
        for (campaign, pixel) in [("a\"b\\c\u{1}\u{1f}", Optional("é😀\n")), ("plain", nil)] {
            let body = FeedStats.encode(
                seq: .max, time: .min, campaign: CampaignID(unchecked: campaign), pixel: pixel.map { PixelID(unchecked: $0) },
                windows: windows, counts: extremes)
            let reference = try #require(Self.reference(body), "\(String(decoding: body, as: UTF8.self))")
            #expect(reference.campaign == campaign && reference.pixel == pixel && reference.time == .min)
            #expect(reference.windows["1m"]?.uniques == UInt64(Int64.max), "uniques are written clamped to 63 bits")
            #expect(reference.windows["90s"]?.ctr == 3 && reference.windows["1500ms"]?.cvr == 1)
            #expect(Self.same(FeedStats(json: body), reference))
        }
    }

    @Test func variantsAClientMayMeetReadAsTheReferenceReadsThem() {
        let bodies = [
            // Whitespace, other key orders, unknown members of every kind, escapes.
            #" { "windows" : { "1m" : { "cvr" : null , "views" : 3 , "clicks" : 1 , "conversions" : 0 , "value" : 0 , "ctr" : 0.333 } } , "pixel" : "p\u00e9" , "campaign" : "a\"b\\c\/d\n" , "time" : -5 , "seq" : 7 , "extra" : [ 1 , { "x" : [ ] } , true , false , null , 1.5e3 , "s" ] }"#,
            #"{"seq":1,"time":2,"campaign":"\ud83d\ude00","windows":{}}"#,
            #"{"type":"stats","seq":1,"time":2,"campaign":"c","pixel":null,"windows":{"1h":{"views":1,"clicks":0,"conversions":0,"value":0,"ctr":1E-2,"cvr":0.5e+1}}}"#,
            // From an aggregator before bots and uniques.
            #"{"seq":1,"time":2,"campaign":"c","windows":{"1m":{"views":1,"clicks":0,"conversions":0,"value":0}}}"#,
        ]
        for body in bodies.map({ Array($0.utf8) }) {
            let read = FeedStats(json: body)
            #expect(read != nil && Self.same(read, Self.reference(body)), "\(String(decoding: body, as: UTF8.self))")
        }
        #expect(FeedStats(json: Array(bodies[0].utf8))?.campaign == "a\"b\\c/d\n")
        #expect(FeedStats(json: Array(bodies[1].utf8))?.campaign == "😀")
        #expect(FeedStats(json: Array(bodies[2].utf8))?.windows["1h"]?.cvr == 5)
    }

    @Test func whatTheReferenceRefusesIsRefused() {
        let refused = [
            "", "{", "[]", "null", #"{"seq":1}"#,
            #"{"seq":-1,"time":2,"campaign":"c","windows":{}}"#,                       // a negative seq
            #"{"seq":1.5,"time":2,"campaign":"c","windows":{}}"#,                      // a fraction
            #"{"seq":01,"time":2,"campaign":"c","windows":{}}"#,                       // a leading zero
            #"{"seq":18446744073709551616,"time":2,"campaign":"c","windows":{}}"#,     // past 64 bits
            #"{"seq":1,"time":2,"campaign":"c","windows":{"1m":{"views":1}}}"#,        // counters missing
            #"{"seq":1,"time":2,"campaign":"c\u12","windows":{}}"#,                     // a short escape
            #"{"seq":1,"time":2,"campaign":"c\x","windows":{}}"#,                       // an unknown escape
            "{\"seq\":1,\"time\":2,\"campaign\":\"c\u{1}\",\"windows\":{}}",            // a raw control character
            #"{"seq":1,"time":2,"campaign":"c","windows":{}} x"#,                      // trailing bytes
            #"{"seq":1,"time":2,"campaign":c,"windows":{}}"#,                          // an unquoted string
        ]
        for text in refused {
            let body = Array(text.utf8)
            #expect(FeedStats(json: body) == nil, "\(text)")
            #expect(Self.reference(body) == nil, "the reference refuses \(text) too")
        }
        #expect(FeedStats(json: [0xFF, 0xFE]) == nil)
        // Strict where Foundation is lenient: a trailing comma is not JSON.
        #expect(FeedStats(json: Array(#"{"seq":1,"time":2,"campaign":"c","windows":{},}"#.utf8)) == nil)
    }

    @Test func everyCutOfABodyIsRefused() throws {
        let body = FeedStats.encode(
            seq: 42, time: 1_790_000_000_250, campaign: "spring", pixel: "hero", windows: [try WindowSpec(parsing: "1m")],
            counts: [Counts(views: 40, clicks: 2, conversions: 1, value: 1999, bots: 7)])
        for end in 0..<body.count { #expect(FeedStats(json: Array(body[..<end])) == nil, "cut at \(end)") }
    }
}
