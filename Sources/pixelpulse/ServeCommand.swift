import ArgumentParser
import Foundation
import PixelAggregator
import PixelDashboard
import PixelPulseClient
import PixelSupport
import ZeroMQ

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run aggregator and collector in one process on local endpoints (the embedded default).")

    @Flag(help: "Add synthetic traffic for a few campaigns and pixels, so live numbers move at once.")
    var demo = false

    @OptionGroup var aggregator: AggregatorOptions
    @OptionGroup var collector: CollectorOptions
    @Option(help: "HTTP address of the dashboard (the feed for browsers), HOST:PORT. (env PIXELPULSE_DASHBOARD_HTTP; default 127.0.0.1:8081)")
    var dashboardHTTP: String?

    @OptionGroup var dashboardAccess: DashboardAccessOptions
    @OptionGroup var transport: PlainOption
    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        try aggregator.check(plain: transport.plain)
        _ = try collector.configuration(ingestEndpoint: AggregatorRole.embeddedIngest, plain: transport.plain)
        _ = try dashboardAccess.configuration(address: dashboardAddress, flag: "--dashboard-http")
    }

    private var dashboardAddress: String { dashboardHTTP ?? environment("PIXELPULSE_DASHBOARD_HTTP") ?? "127.0.0.1:8081" }

    func run() async throws {
        let logger = try logging.makeLogger(label: "pixelpulse")
        let context = try Context()
        let collectorRole = try CollectorRole(
            options: collector, ingestEndpoint: AggregatorRole.embeddedIngest, plain: transport.plain, context: context, logger: logger,
            demo: demo)
        let aggregatorRole = try AggregatorRole(
            options: aggregator, plain: transport.plain, context: context, logger: logger, embedded: true,
            alsoReloading: collectorRole.reloads)
        let port = OneShot<Int>()
        var services = aggregatorRole.services + [collectorRole.collector]
        if demo { services.append(DemoTraffic(port: port, logger: logger)) }
        var dashboardConfiguration = try dashboardAccess.configuration(address: dashboardAddress, flag: "--dashboard-http")
        dashboardConfiguration.currency = try collector.currency.code()
        let dashboard = Dashboard(
            configuration: dashboardConfiguration,
            makeClient: { [service = aggregatorRole.service] in try await Self.feedClient(of: service, context: context) }, logger: logger)
        services += dashboard.services
        try await aggregatorRole.restore(logger: logger)
        try await runServices(services, logger: logger) {
            try await aggregatorRole.announce()
            let bound = try await collectorRole.announce()
            port.succeed(bound)
            let dashboardURL = try await dashboard.url
            say("dashboard: \(dashboardURL)")
            var lines = [
                "PixelPulse is running\(demo ? " with demo traffic" : "").",
                "  fire a pixel:  curl -s -o /dev/null -w '%{http_code}\\n' 'http://127.0.0.1:\(bound)/p/spring-sale/hero.gif?e=view'",
            ]
            if demo {
                lines.append("  sign a link:   PIXELPULSE_LINK_SECRETS=\(CollectorRole.demoLinkSecret) pixelpulse link --campaign spring-sale "
                    + "--link mail --to https://shop.example/spring --base-url http://127.0.0.1:\(bound)")
            }
            lines += ["  dashboard:     open \(dashboardURL)/ in a browser", "  live state:    curl -N \(dashboardURL)/v1/stream", "  watch:         pixelpulse watch", "  alerts:        pixelpulse alerts", "  top:           pixelpulse top"]
            say(lines.joined(separator: "\n"))
        }
    }

    /// A feed client of the aggregator this process runs, on the endpoints it bound (a
    /// wildcard host read as loopback), with CURVE and a key of its own when the feed is
    /// encrypted.
    private static func feedClient(of service: AggregatorService, context: Context) async throws -> FeedClient {
        func local(_ endpoint: String) -> String {
            endpoint.replacingOccurrences(of: "tcp://*:", with: "tcp://127.0.0.1:").replacingOccurrences(of: "tcp://0.0.0.0:", with: "tcp://127.0.0.1:")
        }
        let endpoints = try await service.endpoints
        let curve = try service.configuration.aggregator.security.map {
            CurveClientCredentials(keyPair: try CurveKeyPair.generate(), serverKey: $0.keyPair.publicKey)
        }
        return FeedClient(feed: local(endpoints.feed), snapshot: local(endpoints.snapshot), context: context, curve: curve)
    }
}
