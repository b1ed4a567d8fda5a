import ArgumentParser
import Foundation
import Logging
import PixelAggregator
import PixelAlerts
import PixelCollector
import PixelCore
import ZeroMQ

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

    @Option(help: "How long event ids (id= on a pixel, event_id in a conversion report) are remembered, so that a hit sent again counts once: 1m to 136h, e.g. 48h or 90m. (env PIXELPULSE_DEDUP_HORIZON; default 48h)")
    var dedupHorizon: String?

    @Option(help: "The most event ids remembered (10–15 bytes each), at least 1000; beyond it the oldest are forgotten early. (env PIXELPULSE_DEDUP_LIMIT; default 10000000)")
    var dedupLimit: String?

    @Flag(inversion: .prefixedNo, help: "Estimate each campaign's unique visitors; --no-uniques saves their cost (stats then carry null). (env PIXELPULSE_UNIQUES=off)")
    var uniques = true

    @Flag(inversion: .prefixedNo, help: "Break each campaign down by device, browser, system, channel, referrer and country (segments/ topics); --no-segments saves their cost. (env PIXELPULSE_SEGMENTS=off)")
    var segments = true

    @Option(help: ArgumentHelp("Values of channel, referrer and country kept apart per campaign; the rest count as (other). (env PIXELPULSE_SEGMENT_BOUND)", valueName: "count"))
    var segmentBound: String?

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

    /// How long event ids are remembered, in ms.
    func eventIDHorizon() throws -> Int64 {
        let text = dedupHorizon ?? environment("PIXELPULSE_DEDUP_HORIZON") ?? "48h"
        guard let milliseconds = AlertRuleFile.duration(text), milliseconds >= 60_000, milliseconds <= EventIDFilter.maxHorizon else {
            throw ValidationError("--dedup-horizon must be a duration from 1m to 136h, such as 48h or 90m, got \"\(text)\"")
        }
        return milliseconds
    }

    /// The most event ids remembered.
    func eventIDLimit() throws -> Int {
        let text = dedupLimit ?? environment("PIXELPULSE_DEDUP_LIMIT") ?? "10000000"
        guard let limit = Int(text), limit >= 1000, limit <= UInt32.max else {
            throw ValidationError("--dedup-limit must be a number of event ids from 1000 to 4294967295, got \"\(text)\"")
        }
        return limit
    }

    func segmentBoundSetting() throws -> Int {
        let text = segmentBound ?? environment("PIXELPULSE_SEGMENT_BOUND") ?? "10"
        guard let bound = Int(text), (1...1000).contains(bound) else {
            throw ValidationError("--segment-bound must be a number of values from 1 to 1000, got \"\(text)\"")
        }
        return bound
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
            configuration.segments = segments && !["off", "0", "false", "no"].contains(environment("PIXELPULSE_SEGMENTS")?.lowercased())
            configuration.segmentBound = try segmentBoundSetting()
            configuration.eventIDHorizon = try eventIDHorizon()
            configuration.eventIDLimit = try eventIDLimit()
            return configuration
        } catch let error as WindowConfigurationError {
            throw ValidationError("--windows: \(error)")
        } catch let error as AlertRuleError {
            throw ValidationError("--alert-rules: \(error)")
        }
    }
}
