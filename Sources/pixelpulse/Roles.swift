import Foundation
import Logging
import Metrics
import PixelAggregator
import PixelAlerts
import PixelCollector
import PixelCore
import PixelSupport
import Prometheus
import ServiceLifecycle
import UnixSignals
import ZeroMQ

/// The services of each role, made from parsed options. Shared by `serve`, `aggregator`
/// and `collector` so the roles are wired one way everywhere.
struct AggregatorRole {
    let service: AggregatorService
    let reloader: HangupReloader
    let alertRules: AlertRuleFile?
    let webhook: AlertWebhook?

    /// The in-process endpoint an embedded collector sends to.
    static let embeddedIngest = "inproc://pixelpulse.ingest"

    /// - Parameter alsoReloading: What else this process reloads on SIGHUP (an embedded collector's files).
    init(
        options: AggregatorOptions, plain: Bool, context: Context, logger: Logger, embedded: Bool = false,
        alsoReloading: [any HangupReload] = []
    ) throws {
        let configuration = try options.configuration(plain: plain)
        let windows = configuration.windows
        let data = try (options.dataDir ?? environment("PIXELPULSE_DATA_DIR")).map {
            try DataDirectory(url: URL(fileURLWithPath: $0), retention: windows.windows.last!.length + windows.grace)
        }
        service = AggregatorService(
            configuration: .init(
                aggregator: configuration, extraIngestEndpoints: embedded ? [Self.embeddedIngest] : [], dataDirectory: data,
                checkpointInterval: try options.checkpointInterval()),
            context: context, logger: logger)
        let aggregator = service.aggregator
        let allowlists = try options.allowlistFiles().flatMap { files in configuration.security.map { (files, $0) } }
        alertRules = options.alertRulesFile
        let reload = AggregatorReload(alertRules: alertRules, allowlists: allowlists, aggregator: aggregator, logger: logger)
        reloader = HangupReloader(reloads: [reload] + alsoReloading)
        webhook = try options.webhookURL().map { AlertWebhook(url: $0, alerts: aggregator.alertNotifications(), logger: logger) }
    }

    /// The aggregator comes first: services stop in reverse order, so alerts and reloads
    /// end before the sockets close and the last checkpoint is written.
    var services: [any Service] {
        [service, reloader] + (webhook.map { [$0] } ?? [])
    }

    /// Restores the newest good checkpoint and replays the log after it, if there is a data
    /// directory, before anything is served.
    func restore(logger: Logger) async throws {
        guard let data = service.configuration.dataDirectory else {
            return say("data: none (counts are kept in memory only; --data-dir keeps them)")
        }
        let started = ContinuousClock.now
        guard let summary = try await service.restore() else { return }
        let seconds = (ContinuousClock.now - started).formatted(.units(allowed: [.seconds, .milliseconds], width: .narrow))
        for (name, reason) in summary.refused {
            logger.error("Refused a checkpoint; not loaded", metadata: ["checkpoint.name": "\(name)", "checkpoint.error": "\(reason)"])
        }
        let checkpoint = summary.checkpoint.map { "checkpoint \($0.name) restored, then " } ?? "no checkpoint, "
        let replay = summary.replay
        say("data: \(data.url.path) (\(checkpoint)replayed \(replay.records) batches from \(replay.segments) log segments in \(seconds))")
        if replay.tornBytes > 0 {
            logger.warning("Cut off a record torn by a crash (never acknowledged)", metadata: ["ingest_log.torn_bytes": "\(replay.tornBytes)"])
        }
        for segment in replay.corruptSegments {
            logger.error("An ingest log segment failed its checksum; replayed up to the damage", metadata: ["ingest_log.segment": "\(segment)"])
        }
    }

    /// Prints where the aggregator listens, once bound (scripts read these lines).
    func announce() async throws {
        let endpoints = try await service.endpoints
        say("ingest: \(endpoints.ingest)")
        say("feed: \(endpoints.feed)")
        say("snapshot: \(endpoints.snapshot)")
        if let security = service.configuration.aggregator.security {
            say("curve: on, public key \(security.keyPair.publicKey.z85), \(security.allowlists.summary)")
        } else {
            say("curve: off (plain transport)")
        }
        try await reloader.trapping.value
        let rules = await service.aggregator.alertRules
        say("alert rules: \(rules.count) loaded from \(alertRules?.path ?? "the built-in defaults") (\(rules.map(\.name).joined(separator: ", ")))")
        if let webhook { say("alert webhook: \(webhook.url)") }
    }
}

struct CollectorRole {
    let collector: Collector
    /// The link secrets and pixel sets, read again on SIGHUP.
    let reload: LinkReload
    /// The conversion tokens, read again on SIGHUP.
    let tokenReload: ConversionTokenReload
    private let secretsSource: String?

    /// The link secret and conversion token of `serve --demo` when none is given, so the
    /// README's `pixelpulse link` and postback examples work against it. Public: a demo is
    /// no place for real links.
    static let demoLinkSecret = "pixelpulse-demo-link-secret"
    static let demoConversionToken = "pixelpulse-demo-conversion-token"

    /// - Parameter demo: Fall back to the demo's link secret and conversion token.
    init(options: CollectorOptions, ingestEndpoint: String, plain: Bool, context: Context, logger: Logger, demo: Bool = false) throws {
        var configuration = try options.configuration(ingestEndpoint: ingestEndpoint, plain: plain)
        var secretsSource = try options.linkSecrets.secrets()?.source
        if demo, secretsSource == nil, configuration.spoolDirectory == nil {
            configuration.linkSecrets = [Array(Self.demoLinkSecret.utf8)]
            secretsSource = "the demo (\(Self.demoLinkSecret))"
        }
        if demo, configuration.conversionTokens.count == 0 {
            configuration.conversionTokens.replace(with: [Self.demoConversionToken])
        }
        self.secretsSource = secretsSource
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        collector = Collector(configuration: configuration, zmqContext: context, registry: registry, logger: logger)
        reload = LinkReload(secretsFile: options.linkSecrets.file, pixelSets: options.pixelSetFile, collector: collector, logger: logger)
        tokenReload = ConversionTokenReload(source: options.conversionTokenSource, tokens: configuration.conversionTokens, logger: logger)
    }

    /// What SIGHUP reads again.
    var reloads: [any HangupReload] { [reload, tokenReload] }

    /// Prints where the collector listens, once bound, what its spool held, and what it
    /// answers tracking links with.
    func announce() async throws -> Int {
        let port = try await collector.listeningPort
        let configuration = collector.configuration
        let host = configuration.host
        if let recovery = try await collector.spoolRecovery {
            var line = "spool: \(recovery.directory) (recovered \(recovery.batches) batches, \(recovery.events) events"
            if recovery.sealedOpenEvents > 0 { line += "; sealed the open batch of \(recovery.sealedOpenEvents) events" }
            if recovery.cutBytes > 0 { line += "; cut off \(recovery.cutBytes) damaged or torn bytes" }
            if recovery.lostEvents > 0 { line += "; lost \(recovery.lostEvents) events to damage" }
            say(line + ")")
        } else {
            say("spool: none (unsent batches are kept in memory only; --spool-dir keeps them on disk)")
        }
        let keys = try await collector.links.keys
        if let secretsSource {
            say("link secrets: \(LinkReload.count(keys.count, "secret")) from \(secretsSource) (the first signs)")
        } else if let spool = configuration.spoolDirectory {
            say("link secrets: \(spool.appending(path: LinkSecrets.spoolFileName).path)")
        } else {
            say("link secrets: random for this process (links and click ids stop verifying at a restart; --link-secrets-file keeps them)")
        }
        if let file = reload.pixelSets {
            let names = configuration.pixelSets.sets.keys.map(\.rawValue).sorted()
            say("pixel sets: \(configuration.pixelSets.count) loaded from \(file.path) (\(names.joined(separator: ", ")))")
        }
        let tokens = configuration.conversionTokens.count
        say("conversion tokens: " + (tokens == 0
            ? "none (POST /v1/conversions and GET /v1/postback answer 401; --conversion-tokens-file turns them on)"
            : "\(LinkReload.count(tokens, "token"))\(tokenReload.source.file.map { " from \($0.path)" } ?? "")"
            + (tokenReload.source.file == nil && tokenReload.source.environment == nil ? " (the demo's: \(Self.demoConversionToken))" : "")))
        if let countries = configuration.countryDatabase {
            let dates = ISO8601DateFormatter()
            dates.formatOptions = [.withFullDate]
            let built = dates.string(from: Date(timeIntervalSince1970: TimeInterval(countries.builtAt)))
            say("country: from \(countries.path) (\(countries.type), built \(built))")
        } else {
            say("country: none (hits carry no country; --country-database FILE.mmdb adds it to the segments)")
        }
        say("http: http://\(host):\(port)")
        say("pixel: http://\(host):\(port)/p/{campaign}/{pixel}.gif")
        say("link: http://\(host):\(port)/r/{campaign}/{link}?to=URL&sig=SIG (pixelpulse link signs them)")
        return port
    }
}

/// Prints a line to standard output at once, even when it is a pipe: scripts and tests
/// read the endpoints from these lines while the process runs.
func say(_ line: String) {
    print(line)
    fflush(nil)
}

/// Runs `services` in one group that shuts down gracefully on SIGTERM and SIGINT, calling
/// `whenReady` alongside.
func runServices(
    _ services: [any Service], logger: Logger, whenReady: @escaping @Sendable () async throws -> Void
) async throws {
    let group = ServiceGroup(
        configuration: .init(
            services: services.map { .init(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
    try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        tasks.addTask {
            do {
                try await whenReady()
            } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
        }
        try await tasks.waitForAll()
    }
}
