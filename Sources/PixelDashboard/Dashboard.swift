import Hummingbird
import HTTPTypes
public import Logging
import NIOCore
public import PixelPulseClient
import PixelSupport
public import ServiceLifecycle

/// The dashboard's HTTP server and the feed follower behind it, as services to run in one
/// `ServiceGroup` (in the order of ``services``).
///
/// ```swift
/// let dashboard = Dashboard(
///     configuration: .init(host: "127.0.0.1", port: 8081), client: FeedClient(feed: …, snapshot: …, context: context), logger: logger)
/// try await ServiceGroup(services: dashboard.services, logger: logger).run()
/// ```
public final class Dashboard: Sendable {
    /// Where the dashboard listens and who may read it.
    public struct Configuration: Sendable {
        public var host: String
        /// `0` picks a free port (read it back with ``Dashboard/port``).
        public var port: Int
        public var access: DashboardAccess
        /// Messages kept for resuming streams (`Last-Event-ID`).
        public var ringCapacity: Int
        /// Bytes of events one stream may have queued before it is closed as too slow.
        public var clientQueueLimit: Int
        public var keepAliveInterval: Duration
        /// The ISO 4217 code the page shows conversion values in; `nil`: minor units ÷ 100.
        public var currency: String?

        public init(
            host: String = "127.0.0.1", port: Int = 8081, access: DashboardAccess = .open, ringCapacity: Int = 4096,
            clientQueueLimit: Int = 8 << 20, keepAliveInterval: Duration = .seconds(15), currency: String? = nil
        ) {
            self.host = host
            self.port = port
            self.access = access
            self.currency = currency
            self.ringCapacity = ringCapacity
            self.clientQueueLimit = clientQueueLimit
            self.keepAliveInterval = keepAliveInterval
        }
    }

    public let configuration: Configuration
    public let hub: DashboardHub
    private let follower: FeedFollower
    private let application: Application<RouterResponder<BasicRequestContext>>
    private let bound = OneShot<Int>()

    /// - Parameters:
    ///   - client: The feed client of the aggregator to follow.
    ///   - logger: Where the server and the follower log.
    public convenience init(configuration: Configuration, client: FeedClient, logger: Logger) {
        self.init(configuration: configuration, makeClient: { client }, logger: logger)
    }

    /// - Parameters:
    ///   - makeClient: Makes the feed client when the follower starts: for an aggregator in
    ///     the same process, whose endpoints are known once it has bound them.
    ///   - logger: Where the server and the follower log.
    public init(configuration: Configuration, makeClient: @escaping @Sendable () async throws -> FeedClient, logger: Logger) {
        self.configuration = configuration
        let hub = DashboardHub(ringCapacity: configuration.ringCapacity, queueLimit: configuration.clientQueueLimit)
        self.hub = hub
        let source = FeedClientSource(makeClient)
        follower = FeedFollower(client: source, hub: hub, keepAliveInterval: configuration.keepAliveInterval, logger: logger)
        let bound = bound
        application = Application(
            router: DashboardRoutes.router(
                hub: hub, series: SeriesCache(source: source), page: DashboardPage(currency: configuration.currency),
                access: configuration.access),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "pixelpulse-dashboard"),
            onServerRunning: { channel in bound.succeed(channel.localAddress?.port ?? configuration.port) },
            logger: logger)
    }

    /// The HTTP server first and the follower last: services stop in reverse order, so the
    /// follower ends every stream before the server drains its connections.
    public var services: [any Service] { [HTTPServer(application: application, bound: bound), follower] }

    /// The port bound, once the server listens.
    public var port: Int {
        get async throws { try await bound.value }
    }

    /// The URL the dashboard answers on, once it listens.
    public var url: String {
        get async throws {
            let host = configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host
            return "http://\(host):\(try await port)"
        }
    }
}

/// Runs the Hummingbird application, and fails ``Dashboard/port`` when it cannot listen.
private struct HTTPServer: Service {
    let application: Application<RouterResponder<BasicRequestContext>>
    let bound: OneShot<Int>

    func run() async throws {
        do {
            try await application.run()
            bound.fail(CancellationError())  // stopped before it listened; ignored once bound
        } catch {
            bound.fail(error)
            throw error
        }
    }
}
