import ArgumentParser
import ZeroMQ

struct AggregatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aggregator",
        abstract: "Run the aggregator: ingest from collectors, sliding windows, live feed.")

    @OptionGroup var aggregator: AggregatorOptions
    @OptionGroup var transport: PlainOption
    @OptionGroup var logging: LoggingOptions

    func validate() throws { try aggregator.check(plain: transport.plain) }

    func run() async throws {
        let logger = try logging.makeLogger(label: "pixelpulse.aggregator")
        let role = try AggregatorRole(options: aggregator, plain: transport.plain, context: try Context(), logger: logger)
        try await role.restore(logger: logger)
        try await runServices(role.services, logger: logger) {
            try await role.announce()
        }
    }
}
