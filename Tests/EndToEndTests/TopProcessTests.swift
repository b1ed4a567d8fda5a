import Foundation
import PixelAggregator
import PixelCore
import PixelPulseTesting
import Testing

/// `pixelpulse top` against an aggregator with known traffic: its table and its JSON.
@Suite(.serialized) struct TopProcessTests {
    static let traffic = KnownTraffic(keys: [
        .init(campaign: "brand", pixel: "video", views: 30, clicks: 3, conversions: 1, value: 999),
        .init(campaign: "spring", pixel: "hero", views: 200, clicks: 10, conversions: 2, value: 2500, bots: 7),
        .init(campaign: "spring", pixel: "newsletter-0412", views: 50, clicks: 5),
        .init(campaign: "brand", pixel: "home", views: 60, clicks: 2),
    ])

    static func top(_ live: LiveAggregator, _ more: [String]) async throws -> String {
        let result = try await run(try Paths.pixelpulse.path, ["top", "--connect", live.endpoints.feed, "--snapshot", live.endpoints.snapshot] + more)
        guard result.status == 0 else { throw TestFailure.message("top exited \(result.status): \(result.output)") }
        return result.output
    }

    @Test func theTableListsCampaignsThenTheirPixelsBusiestFirst() async throws {
        try await LiveAggregator.with { live in
            try await Self.traffic.send(to: live)
            let lines = try await Self.top(live, []).split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") }
            #expect(lines == [
                "Totals over the last 1h from \(live.endpoints.feed): 2 campaigns, 4 pixels, busiest first",
                "CAMPAIGN PIXEL VIEWS CLICKS CONV VALUE ÷100 UNIQUES CTR CVR",
                "spring (all) 250 15 2 50.00 0 6.00% 13.33%",
                "spring hero 200 10 2 50.00 5.00% 20.00%",
                "spring newsletter-0412 50 5 0 0.00 10.00% 0.00%",
                "brand (all) 90 5 1 9.99 0 5.56% 20.00%",
                "brand home 60 2 0 0.00 3.33% 0.00%",
                "brand video 30 3 1 9.99 10.00% 33.33%",
            ])
        }
    }

    @Test func jsonIsOneDocumentWithEveryFigure() async throws {
        try await LiveAggregator.with { live in
            try await Self.traffic.send(to: live)
            let output = try await Self.top(live, ["--json", "--campaign", "spring", "--window", "5m"])
            #expect(output.split(separator: "\n").count == 1, "one line: \(output)")
            let document = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
            #expect(document["window"] as? String == "5m")
            #expect(document["source"] as? String == live.endpoints.feed)
            let campaigns = try #require(document["campaigns"] as? [[String: Any]])
            #expect(campaigns.count == 1)
            let spring = campaigns[0]
            #expect(spring["campaign"] as? String == "spring")
            #expect(spring["views"] as? Int == 250 && spring["clicks"] as? Int == 15 && spring["conversions"] as? Int == 2)
            #expect(spring["value"] as? Int == 5000, "in minor units, as on the feed")
            #expect(spring["bots"] as? Int == 7, "apart from the views")
            #expect(spring["uniques"] as? Int == 0 && spring["uniquesError"] as? Int == 0)
            let pixels = try #require(spring["pixels"] as? [[String: Any]])
            #expect(pixels.map { $0["pixel"] as? String } == ["hero", "newsletter-0412"])
            #expect(pixels[0]["ctr"] as? Double == 0.05 && pixels[0]["cvr"] as? Double == 0.2)
            #expect(pixels[1]["uniques"] is NSNull && pixels[1]["uniquesError"] is NSNull && pixels[1]["cvr"] as? Double == 0)
            #expect(pixels.map { $0["bots"] as? Int } == [7, 0])
        }
    }
}
