import ArgumentParser
import Foundation
import Logging
import PixelAggregator
import PixelAlerts
import PixelCollector
import PixelCore
import ZeroMQ

/// Reads `name` from the environment, for options that also take an environment variable.
func environment(_ name: String) -> String? {
    ProcessInfo.processInfo.environment[name].flatMap { $0.isEmpty ? nil : $0 }
}

struct LoggingOptions: ParsableArguments {
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical. (env PIXELPULSE_LOG_LEVEL)")
    var logLevel: String?

    func validate() throws { _ = try level() }

    func makeLogger(label: String) throws -> Logger {
        let level = try level()
        LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
        var logger = Logger(label: label)
        logger.logLevel = level
        return logger
    }

    private func level() throws -> Logger.Level {
        let text = logLevel ?? environment("PIXELPULSE_LOG_LEVEL") ?? "info"
        guard let level = Logger.Level(rawValue: text) else {
            throw ValidationError("unknown log level \"\(text)\"; use trace, debug, info, notice, warning, error or critical")
        }
        return level
    }
}

struct AggregatorOptions: ParsableArguments {
    @Option(help: "ROUTER endpoint collectors send batches to. (env PIXELPULSE_INGEST; default tcp://127.0.0.1:5570)")
    var ingest: String?

    @Option(help: "PUB endpoint of the live feed. (env PIXELPULSE_FEED; default tcp://127.0.0.1:5571)")
    var feed: String?

    @Option(help: "ROUTER endpoint answering snapshot requests. (env PIXELPULSE_SNAPSHOT; default tcp://127.0.0.1:5572)")
    var snapshot: String?

    @Option(help: "Sliding windows, comma-separated; each slides by 1/60 of its length.")
    var windows: String = "1m,5m,15m,1h"

    @Option(help: "Accept events up to this many seconds late (default: the longest window).")
    var graceSeconds: Int?

    @Option(help: "Milliseconds between live-feed updates.")
    var tickMs: Int = 250

    @Option(help: "YAML file of alert rules, reloaded on SIGHUP. (env PIXELPULSE_ALERT_RULES; default: the built-in rules)")
    var alertRules: String?

    @Option(help: "POST every alert to this URL in the Alertmanager webhook format. (env PIXELPULSE_ALERT_WEBHOOK)")
    var alertWebhook: String?

    @Option(help: "Directory for the ingest log and checkpoints: batches are on disk before they are acknowledged, and restored on start. (env PIXELPULSE_DATA_DIR; default: memory only)")
    var dataDir: String?

    @Option(help: "Seconds between checkpoints of the whole state in --data-dir (one more is written on shutdown). (env PIXELPULSE_CHECKPOINT_SECONDS; default 60)")
    var checkpointSeconds: Int?

    @Flag(inversion: .prefixedNo, help: "Estimate each campaign's unique visitors; --no-uniques saves their cost (stats then carry null). (env PIXELPULSE_UNIQUES=off)")
    var uniques = true

    @Option(help: "The aggregator's CURVE key pair file (pixelpulse keys): encrypts ingest, feed and snapshot. (env PIXELPULSE_SERVER_KEY)")
    var serverKey: String?

    @Option(help: "Public keys of the collectors admitted to ingest, one per line, read again on SIGHUP; required with --server-key. (env PIXELPULSE_ALLOW_COLLECTORS)")
    var allowCollectors: String?

    @Option(help: "Public keys of the subscribers admitted to feed and snapshot, read again on SIGHUP (default: anyone with the aggregator's public key). (env PIXELPULSE_ALLOW_SUBSCRIBERS)")
    var allowSubscribers: String?

    /// Checks every option a run derives something from, so that a mistake is reported
    /// with this command's usage before anything starts.
    func check(plain: Bool) throws {
        _ = try configuration(plain: plain)
        _ = try checkpointInterval()
        _ = try allowlistFiles()
        _ = try webhookURL()
    }

    /// The checkpoint interval.
    func checkpointInterval() throws -> Duration {
        let text = checkpointSeconds.map(String.init) ?? environment("PIXELPULSE_CHECKPOINT_SECONDS") ?? "60"
        guard let seconds = Int(text), seconds > 0 else {
            throw ValidationError("--checkpoint-seconds must be a positive number of seconds, got \"\(text)\"")
        }
        return .seconds(seconds)
    }

    var alertRulesFile: AlertRuleFile? {
        (alertRules ?? environment("PIXELPULSE_ALERT_RULES")).map { AlertRuleFile(path: $0) }
    }

    func webhookURL() throws -> URL? {
        guard let text = alertWebhook ?? environment("PIXELPULSE_ALERT_WEBHOOK") else { return nil }
        guard let url = URL(string: text), ["http", "https"].contains(url.scheme), url.host != nil else {
            throw ValidationError("--alert-webhook must be an http:// or https:// URL, got \"\(text)\"")
        }
        return url
    }

    var ingestEndpoint: String { ingest ?? environment("PIXELPULSE_INGEST") ?? AggregatorConfiguration.defaultIngestEndpoint }
    var feedEndpoint: String { feed ?? environment("PIXELPULSE_FEED") ?? AggregatorConfiguration.defaultFeedEndpoint }
    var snapshotEndpoint: String {
        snapshot ?? environment("PIXELPULSE_SNAPSHOT") ?? AggregatorConfiguration.defaultSnapshotEndpoint
    }

    /// The allowlist files, when `--server-key` is given (they are required with it).
    func allowlistFiles() throws -> AllowlistFiles? {
        let allowCollectors = allowCollectors ?? environment("PIXELPULSE_ALLOW_COLLECTORS")
        let allowSubscribers = allowSubscribers ?? environment("PIXELPULSE_ALLOW_SUBSCRIBERS")
        guard serverKeyPath != nil else {
            guard allowCollectors == nil, allowSubscribers == nil else {
                throw ValidationError("allowlists need --server-key: without CURVE there are no client keys to check")
            }
            return nil
        }
        guard let allowCollectors else {
            throw ValidationError("--server-key needs --allow-collectors: ingest admits only the collectors it lists")
        }
        return AllowlistFiles(collectors: allowCollectors, subscribers: allowSubscribers)
    }

    private var serverKeyPath: String? { serverKey ?? environment("PIXELPULSE_SERVER_KEY") }

    /// CURVE and its allowlists, when `--server-key` is given.
    func security() throws -> TransportSecurity? {
        guard let files = try allowlistFiles(), let keyPath = serverKeyPath else { return nil }
        return TransportSecurity(keyPair: try KeyFiles.keyPair(at: keyPath), allowlists: try files.load())
    }

    /// - Parameter plain: Whether plain TCP was chosen explicitly for endpoints other hosts can reach.
    func configuration(plain: Bool) throws -> AggregatorConfiguration {
        guard tickMs > 0 else { throw ValidationError("--tick-ms must be positive") }
        let security = try security()
        if security == nil, !plain {
            for (option, endpoint) in [("--ingest", ingestEndpoint), ("--feed", feedEndpoint), ("--snapshot", snapshotEndpoint)]
            where !Endpoint.isThisHostOnly(endpoint) {
                throw ValidationError("""
                    \(option) \(endpoint) is reachable from other hosts: give --server-key and --allow-collectors \
                    (see pixelpulse keys --help), or --plain to send in the clear
                    """)
            }
        }
        do {
            let specs = try windows.split(separator: ",").map { try WindowSpec(parsing: String($0)) }
            let windowConfiguration = try WindowConfiguration(windows: specs, grace: graceSeconds.map { Int64($0) * 1000 })
            var configuration = AggregatorConfiguration(
                ingestEndpoint: ingestEndpoint, feedEndpoint: feedEndpoint, snapshotEndpoint: snapshotEndpoint, windows: windowConfiguration,
                tickInterval: .milliseconds(tickMs), alertRules: try alertRulesFile?.load(windows: windowConfiguration),
                security: security)
            configuration.uniqueVisitors = uniques && !["off", "0", "false", "no"].contains(environment("PIXELPULSE_UNIQUES")?.lowercased())
            return configuration
        } catch let error as WindowConfigurationError {
            throw ValidationError("--windows: \(error)")
        } catch let error as AlertRuleError {
            throw ValidationError("--alert-rules: \(error)")
        }
    }
}

struct CollectorOptions: ParsableArguments {
    @Option(help: "HTTP address to listen on, HOST:PORT. (env PIXELPULSE_HTTP; default 127.0.0.1:8080)")
    var http: String?

    @Option(help: "This collector's id, sent with every batch. (env PIXELPULSE_COLLECTOR_ID; default the host name)")
    var collectorID: String?

    @Option(help: "Events per batch.")
    var batchSize: Int = 256

    @Option(help: "Milliseconds a batch may wait for more events.")
    var batchDelayMs: Int = 5

    @Option(help: "Secret for visitor hashing; collectors that share uniques share it. (env PIXELPULSE_VISITOR_SECRET; default: --visitor-secret-file, else visitor.secret in --spool-dir, else random per process)")
    var visitorSecret: String?

    @Option(help: "File holding the visitor secret, at least 16 bytes: the same file (a mounted secret) on every collector that shares uniques. (env PIXELPULSE_VISITOR_SECRET_FILE)")
    var visitorSecretFile: String?

    @Option(help: "Origins whose pages may read the answers from scripts (CORS), comma-separated, or * for any. (env PIXELPULSE_CORS_ORIGINS; default *)")
    var corsOrigins: String?

    @Flag(help: "Take the client address from X-Forwarded-For (only behind a proxy that sets it).")
    var trustForwardedFor = false

    @Option(help: "Directory of the disk spool: every hit is written to it before it is answered, batches are sent from it and kept until acknowledged, across restarts. (env PIXELPULSE_SPOOL_DIR; default: memory only)")
    var spoolDir: String?

    @Option(help: "The most megabytes the spool may hold; beyond it new hits are answered but not counted. (env PIXELPULSE_SPOOL_LIMIT_MB; default 1024)")
    var spoolLimitMb: Int?

    @Option(help: ArgumentHelp("Sealed batches kept in memory without a spool; with one, batches read from it and not yet acknowledged.", visibility: .hidden))
    var queueLimit: Int = 4096

    @Option(help: "This collector's CURVE key pair file, for an aggregator with --server-key. (env PIXELPULSE_COLLECTOR_KEY)")
    var collectorKey: String?

    @Option(help: "The aggregator's public key: its 40 Z85 characters or its .pub file. (env PIXELPULSE_AGGREGATOR_KEY)")
    var aggregatorKey: String?

    /// - Parameter plain: Whether plain TCP was chosen explicitly for an aggregator on another host.
    func configuration(ingestEndpoint: String, plain: Bool) throws -> CollectorConfiguration {
        let address = http ?? environment("PIXELPULSE_HTTP") ?? "127.0.0.1:8080"
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]),
              (0...65535).contains(port) else {
            throw ValidationError("--http must be HOST:PORT, got \"\(address)\"")
        }
        let idText = collectorID ?? environment("PIXELPULSE_COLLECTOR_ID")
            ?? ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "collector"
        let id: CollectorID
        do {
            id = try CollectorID(validating: idText)
        } catch {
            throw ValidationError("--collector-id: \(error)")
        }
        guard (1...EventBatch.maxEvents).contains(batchSize) else {
            throw ValidationError("--batch-size must be 1…\(EventBatch.maxEvents)")
        }
        var configuration = CollectorConfiguration(ingestEndpoint: ingestEndpoint, collectorID: id)
        configuration.host = String(address[..<colon])
        configuration.port = port
        configuration.batchSize = batchSize
        configuration.batchDelay = .milliseconds(batchDelayMs)
        configuration.visitorSecret = (visitorSecret ?? environment("PIXELPULSE_VISITOR_SECRET")).map { Array($0.utf8) }
        configuration.visitorSecretFile = (visitorSecretFile ?? environment("PIXELPULSE_VISITOR_SECRET_FILE")).map { URL(fileURLWithPath: $0) }
        guard configuration.visitorSecret == nil || configuration.visitorSecretFile == nil else {
            throw ValidationError("give --visitor-secret or --visitor-secret-file, not both")
        }
        if let origins = corsOrigins ?? environment("PIXELPULSE_CORS_ORIGINS") {
            do {
                configuration.allowedOrigins = try AllowedOrigins(parsing: origins)
            } catch {
                throw ValidationError("--cors-origins: \(error)")
            }
        }
        configuration.trustForwardedFor = trustForwardedFor
        guard queueLimit >= 1 else { throw ValidationError("--queue-limit must be at least 1") }
        configuration.queueLimit = queueLimit
        configuration.spoolDirectory = (spoolDir ?? environment("PIXELPULSE_SPOOL_DIR")).map { URL(fileURLWithPath: $0) }
        let limitText = spoolLimitMb.map(String.init) ?? environment("PIXELPULSE_SPOOL_LIMIT_MB") ?? "1024"
        guard let limit = Int(limitText), (1...(1 << 30)).contains(limit) else {
            throw ValidationError("--spool-limit-mb must be a positive number of megabytes, got \"\(limitText)\"")
        }
        configuration.spoolLimitBytes = limit << 20
        let ownKey = collectorKey ?? environment("PIXELPULSE_COLLECTOR_KEY")
        let serverKey = aggregatorKey ?? environment("PIXELPULSE_AGGREGATOR_KEY")
        switch (ownKey, serverKey) {
        case (let own?, let server?):
            configuration.curve = CurveClientCredentials(keyPair: try KeyFiles.keyPair(at: own), serverKey: try KeyFiles.publicKey(server))
        case (nil, nil):
            guard plain || Endpoint.isThisHostOnly(ingestEndpoint) else {
                throw ValidationError("""
                    --ingest \(ingestEndpoint) is on another host: give --collector-key and --aggregator-key \
                    (see pixelpulse keys --help), or --plain to send in the clear
                    """)
            }
        default:
            throw ValidationError("CURVE needs both --collector-key and --aggregator-key")
        }
        return configuration
    }
}

/// Where a subscriber (`watch`, `alerts`, `top`) finds the aggregator, and how long it waits for it.
struct SubscriberOptions: ParsableArguments {
    @Option(help: "The aggregator's feed endpoint. (env PIXELPULSE_FEED; default tcp://127.0.0.1:5571)")
    var connect: String?

    @Option(help: "The aggregator's snapshot endpoint. (env PIXELPULSE_SNAPSHOT; default tcp://127.0.0.1:5572)")
    var snapshot: String?

    @Option(help: "The aggregator's public key, when its feed is encrypted: 40 Z85 characters or its .pub file. (env PIXELPULSE_AGGREGATOR_KEY)")
    var aggregatorKey: String?

    @Option(help: "This subscriber's CURVE key pair file, when the aggregator lists its subscribers (default: a new key each run). (env PIXELPULSE_CLIENT_KEY)")
    var clientKey: String?

    @Option(help: "Seconds to wait for the aggregator's first snapshot; then exit 2, saying what the likely cause is.")
    var timeout: Double = 5

    var feedEndpoint: String { connect ?? environment("PIXELPULSE_FEED") ?? AggregatorConfiguration.defaultFeedEndpoint }
    var snapshotEndpoint: String {
        snapshot ?? environment("PIXELPULSE_SNAPSHOT") ?? AggregatorConfiguration.defaultSnapshotEndpoint
    }

    func validate() throws {
        guard timeout > 0, timeout <= 86_400 else { throw ValidationError("--timeout must be a positive number of seconds, at most 86400") }
    }

    func subscriber() throws -> Subscriber {
        var curve: CurveClientCredentials?
        if let serverKey = aggregatorKey ?? environment("PIXELPULSE_AGGREGATOR_KEY") {
            let pair = try (clientKey ?? environment("PIXELPULSE_CLIENT_KEY")).map(KeyFiles.keyPair(at:)) ?? CurveKeyPair.generate()
            curve = CurveClientCredentials(keyPair: pair, serverKey: try KeyFiles.publicKey(serverKey))
        }
        return try Subscriber(
            feed: feedEndpoint, snapshot: snapshotEndpoint, curve: curve, timeout: .milliseconds(Int64((timeout * 1000).rounded())))
    }
}

/// Choosing plain TCP for endpoints other hosts can reach must be explicit.
struct PlainOption: ParsableArguments {
    @Flag(help: "Allow plain, unencrypted TCP to and from other hosts (loopback, ipc:// and inproc:// are always plain).")
    var plain = false
}

enum Endpoint {
    /// Whether only this host can use `endpoint`: `ipc://`, `inproc://`, or TCP to a
    /// loopback address (`localhost`, `::1`, an IPv4 literal in 127.0.0.0/8). In the
    /// `source;destination` form only the destination counts.
    static func isThisHostOnly(_ endpoint: String) -> Bool {
        if endpoint.hasPrefix("ipc://") || endpoint.hasPrefix("inproc://") { return true }
        guard endpoint.hasPrefix("tcp://") else { return false }
        var host = endpoint.dropFirst("tcp://".count)
        if let separator = host.lastIndex(of: ";") { host = host[host.index(after: separator)...] }
        if let colon = host.lastIndex(of: ":") { host = host[..<colon] }
        let name = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        return name == "localhost" || name == "::1" || isLoopbackIPv4(name)
    }

    /// Four decimal octets, the first 127: a name that merely starts like one
    /// (`127.0.0.1.example.com`) can resolve anywhere.
    private static func isLoopbackIPv4(_ name: String) -> Bool {
        let octets = name.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4, octets.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && UInt8($0) != nil }) else {
            return false
        }
        return octets[0] == "127"
    }
}
