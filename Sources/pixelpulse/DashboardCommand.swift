import ArgumentParser
import PixelDashboard
import ServiceLifecycle

struct DashboardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dashboard",
        abstract: "Serve the live dashboard page and the aggregator's feed for browsers: the state as JSON, updates as Server-Sent Events.",
        discussion: """
            / is the live page. GET /v1/state?prefix=P answers the current state as one JSON document; \
            GET /v1/stream?prefix=P streams it (text/event-stream): a state event, then every feed message \
            under P, resumable with Last-Event-ID; GET /v1/series?prefix=P&window=1h answers the keys' \
            history step by step. Beyond loopback it needs --dashboard-token or --open-dashboard.
            """)

    @Option(help: "HTTP address to listen on, HOST:PORT. (env PIXELPULSE_DASHBOARD_HTTP; default 127.0.0.1:8081)")
    var http: String?

    @OptionGroup var aggregator: SubscriberOptions
    @OptionGroup var access: DashboardAccessOptions
    @OptionGroup var currency: CurrencyOption
    @OptionGroup var logging: LoggingOptions

    private var address: String { http ?? environment("PIXELPULSE_DASHBOARD_HTTP") ?? "127.0.0.1:8081" }

    func validate() throws {
        _ = try access.configuration(address: address, flag: "--http")
        _ = try currency.code()
    }

    func run() async throws {
        let logger = try logging.makeLogger(label: "pixelpulse")
        let subscriber = try aggregator.subscriber()
        var configuration = try access.configuration(address: address, flag: "--http")
        configuration.currency = try currency.code()
        let dashboard = Dashboard(configuration: configuration, client: subscriber.client, logger: logger)
        say("following the feed on \(subscriber.feed) (snapshot \(subscriber.snapshot))")
        try await runServices(dashboard.services, logger: logger) {
            try await say("dashboard: \(dashboard.url)")
        }
    }
}
