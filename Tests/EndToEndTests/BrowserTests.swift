import Foundation
import Logging
import PixelCollector
import PixelCore
import PixelPulseTesting
import Prometheus
import Testing
import ZeroMQ

extension Paths {
    static let browserCheck = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("browser_check.py")
}

/// The collector as pages of another origin use it, in headless Chromium driven from
/// Python (`browser_check.py`, Selenium with Debian's `chromium` and `chromium-driver`):
/// every hit a browser sends arrives exactly once, and nothing else does; and a tracking
/// link whose pixel set fires an ad platform's stand-in before the browser lands.
@Suite(.serialized) struct BrowserTests {
    @Test func pagesOfAnotherOriginCountExactly() async throws {
        let python = URL(fileURLWithPath: "/usr/bin/env")
        let pages = try ChildProcess(python, ["python3", Paths.browserCheck.path, "serve"], withErrors: true)
        let ads = try await pages.value(after: "ads:")
        let pagesOrigin = try await pages.value(after: "pages:")  // http://127.0.0.1:N; http://localhost:N is not allowed
        let keys = LinkKeys(secrets: [Array("browser-link-secret-0123456789".utf8)])

        let context = try Context()
        let ingest = try IngestStandIn.start(context: context)
        var configuration = CollectorConfiguration(ingestEndpoint: ingest.endpoint, collectorID: "browser")
        configuration.port = 0
        configuration.eventLoopThreads = 1
        configuration.allowedOrigins = .only([pagesOrigin])
        configuration.linkSecrets = [Array("browser-link-secret-0123456789".utf8)]
        configuration.pixelSets = PixelSets(["ads": [.image(try Destination(validating: "\(ads)/px.gif?acct=7"))]])
        let registry = PrometheusCollectorRegistry()
        let collector = Collector(
            configuration: configuration, zmqContext: context, registry: registry,
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        let running = Task { try await collector.run() }
        let port = try await collector.listeningPort

        let link = TrackingLink(
            campaign: "browser", link: "link", destination: try Destination(validating: "\(pagesOrigin)/destination.html?from=link"),
            pixelSet: "ads")
        let checker = try ChildProcess(python, [
            "python3", Paths.browserCheck.path, "check", "--pages", pagesOrigin, "--collector", "http://127.0.0.1:\(port)",
            "--link", link.url(base: "http://127.0.0.1:\(port)", keys: keys),
        ], withErrors: true)
        let landed = try await checker.line(startingWithAnyOf: ["landed:", "done", "FAIL", "Traceback"], timeout: .seconds(180))
        #expect(landed.hasPrefix("landed: \(pagesOrigin)/destination.html?from=link&ppclid="), "\(landed)")
        let click = try ClickID(token: String(landed.split(separator: "ppclid=").last ?? ""), keys: keys)
        #expect(click.campaign == "browser" && click.link == "link")
        let verdict = try await checker.line(startingWithAnyOf: ["done", "FAIL", "Traceback"], timeout: .seconds(60))
        #expect(verdict == "done")

        // The JSON beacon (after its preflight), the fetched pixel, /p.js's view and outbound
        // click, the view of a browser sending DNT, the other origin's text/plain beacon, and
        // the tracking link's click.
        let expected = ["dnt view", "fetch view", "json-beacon view", "link click", "plain-beacon view", "script click", "script view"]
        let hits = await ingest.events(count: expected.count, timeout: .seconds(30)).flatMap(\.hits)
        // The other origin's JSON beacon: its preflight refused and counted, the beacon never sent.
        let refused = await eventually(timeout: .seconds(30)) {
            Self.sample(registry, #"pixelpulse_collector_rejected_total{reason="cors_origin"}"#) == 1
        }
        #expect(refused)
        // Anything sent before this last hit arrived before it.
        _ = try await TestHTTPConnection.request(port: port, "GET", "/p/sentinel/last.gif")
        let last = await ingest.events(count: 1).flatMap(\.hits)
        #expect(last.map(\.campaign) == ["sentinel"])

        #expect(hits.map { "\($0.pixel) \($0.kind.name)" }.sorted() == expected)
        #expect(hits.allSatisfy { $0.campaign == "browser" })
        let visitors = Set(hits.filter { $0.pixel != "dnt" }.map(\.visitor))
        #expect(visitors.count == 1 && visitors.first! != nil, "one browser, one visitor: \(visitors)")
        #expect(hits.first { $0.pixel == "dnt" }?.visitor == nil, "DNT: 1 drops the visitor hash")
        #expect(Self.sample(registry, #"pixelpulse_collector_rejected_total{reason="cors_origin"}"#) == 1)
        #expect(Self.sample(registry, #"pixelpulse_collector_http_errors_total{status="403"}"#) == 1)
        #expect(Self.sample(registry, #"pixelpulse_collector_link_clicks_total{answer="pixel_page"}"#) == 1)
        #expect(hits.allSatisfy { $0.device == .desktop })
        #expect(hits.first { $0.pixel == "link" }?.time == click.time)

        #expect(try await checker.terminate() == 0)
        _ = try await pages.terminate()
        await collector.shutdownGracefully()
        try await running.value
        await ingest.stop()
    }

    /// One sample of the registry's text, `0` when absent.
    private static func sample(_ registry: PrometheusCollectorRegistry, _ series: String) -> Int {
        registry.emitToString().split(separator: "\n").first { $0.hasPrefix(series + " ") }
            .flatMap { Double($0.dropFirst(series.count + 1)) }.map { Int($0) } ?? 0
    }
}
