import Foundation
import PixelAggregator
@testable import PixelDashboard
import PixelPulseTesting
import Testing
import ZeroMQ

/// The page and its assets as the server answers them; what the page does is tested in a
/// browser (`Tests/EndToEndTests/DashboardBrowserTests.swift`).
@Suite(.serialized) struct DashboardPageTests {
    @Test func thePageNamesItsAssetsByDigestAndWeighsUnder50KB() async throws {
        let context = try Context()
        let live = try await LiveAggregator.start(context: context)
        try await withDashboard(
            feed: live.endpoints.feed, snapshot: live.endpoints.snapshot, context: context,
            configuration: .init(port: 0, currency: "EUR")
        ) { dashboard in
            let port = try await dashboard.port
            let page = try await get(port: port, "/")
            #expect(page.status == 200)
            #expect(page.header("Content-Type") == "text/html; charset=utf-8")
            #expect(page.header("Cache-Control") == "no-cache")
            #expect(page.header("Content-Security-Policy")?.contains("script-src 'self'") == true)
            #expect(page.text.contains(#"<meta name="pixelpulse-currency" content="EUR">"#))
            #expect(!page.text.contains("{{"), "every placeholder filled")

            let names = page.text.matches(of: /assets\/(dashboard\.[0-9a-f]{12}\.(?:css|js))/).map { String($0.1) }
            #expect(Set(names).count == 2, "\(names)")
            var weight = page.text.utf8.count
            for name in Set(names) {
                let asset = try await get(port: port, "/assets/\(name)")
                #expect(asset.status == 200)
                #expect(asset.header("Cache-Control") == "public, max-age=31536000, immutable")
                #expect(asset.header("Content-Type")?.hasPrefix(name.hasSuffix(".js") ? "text/javascript" : "text/css") == true)
                weight += asset.text.utf8.count
            }
            #expect(weight < 50_000, "page weight \(weight) bytes")
            #expect(weight == DashboardPage(currency: "EUR").weight)

            let unknown = try await get(port: port, "/assets/dashboard.000000000000.js")
            #expect(unknown.status == 404)
            #expect(try object(unknown.text)["error"] as? String == "no such asset (the page names its assets: reload it)")
        }
        try await live.stop()
    }

    @Test func thePageNeedsNoTokenAndTheAPIDoes() async throws {
        let context = try Context()
        let live = try await LiveAggregator.start(context: context)
        try await withDashboard(
            feed: live.endpoints.feed, snapshot: live.endpoints.snapshot, context: context,
            configuration: .init(port: 0, access: .token("a-token-of-twenty-chars"))
        ) { dashboard in
            let port = try await dashboard.port
            let page = try await get(port: port, "/")
            #expect(page.status == 200)
            let script = try #require(page.text.firstMatch(of: /assets\/(dashboard\.[0-9a-f]{12}\.js)/)).1
            #expect(try await get(port: port, "/assets/\(script)").status == 200)
            let refused = try await get(port: port, "/v1/series")
            #expect(refused.status == 401)
            #expect(refused.header("WWW-Authenticate") == "Bearer")
            #expect(try object(refused.text)["error"] as? String == "a token is required: Authorization: Bearer TOKEN, or ?token=TOKEN")
        }
        try await live.stop()
    }
}
