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
        guard let name = TCPEndpoint.host(in: endpoint) else { return false }
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
