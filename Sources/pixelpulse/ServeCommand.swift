import ArgumentParser
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
    @OptionGroup var transport: PlainOption
    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        try aggregator.check(plain: transport.plain)
        _ = try collector.configuration(ingestEndpoint: AggregatorRole.embeddedIngest, plain: transport.plain)
    }

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
        try await aggregatorRole.restore(logger: logger)
        try await runServices(services, logger: logger) {
            try await aggregatorRole.announce()
            let bound = try await collectorRole.announce()
            port.succeed(bound)
            var lines = [
                "PixelPulse is running\(demo ? " with demo traffic" : "").",
                "  fire a pixel:  curl -s -o /dev/null -w '%{http_code}\\n' 'http://127.0.0.1:\(bound)/p/spring-sale/hero.gif?e=view'",
            ]
            if demo {
                lines.append("  sign a link:   PIXELPULSE_LINK_SECRETS=\(CollectorRole.demoLinkSecret) pixelpulse link --campaign spring-sale "
                    + "--link mail --to https://shop.example/spring --base-url http://127.0.0.1:\(bound)")
            }
            lines += ["  watch:         pixelpulse watch", "  alerts:        pixelpulse alerts", "  top:           pixelpulse top"]
            say(lines.joined(separator: "\n"))
        }
    }
}
