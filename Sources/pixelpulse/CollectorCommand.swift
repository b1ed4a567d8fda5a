import ArgumentParser
import PixelAggregator
import PixelSupport
import ZeroMQ

struct CollectorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collector",
        abstract: "Run an HTTP edge collector that forwards hits to an aggregator.")

    @Option(help: "The aggregator's ingest endpoint. (env PIXELPULSE_INGEST; default tcp://127.0.0.1:5570)")
    var ingest: String?

    @OptionGroup var collector: CollectorOptions
    @OptionGroup var transport: PlainOption
    @OptionGroup var logging: LoggingOptions

    private var endpoint: String { ingest ?? environment("PIXELPULSE_INGEST") ?? AggregatorConfiguration.defaultIngestEndpoint }

    func validate() throws { _ = try collector.configuration(ingestEndpoint: endpoint, plain: transport.plain) }

    func run() async throws {
        let logger = try logging.makeLogger(label: "pixelpulse.collector")
        let role = try CollectorRole(options: collector, ingestEndpoint: endpoint, plain: transport.plain, context: try Context(), logger: logger)
        let reloader = HangupReloader(reloads: role.reloads)
        try await runServices([role.collector, reloader], logger: logger) {
            try await reloader.trapping.value
            _ = try await role.announce()
        }
    }
}
