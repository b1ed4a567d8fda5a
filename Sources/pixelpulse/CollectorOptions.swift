import ArgumentParser
import Foundation
import Logging
import PixelAggregator
import PixelAlerts
import PixelCollector
import PixelCore
import ZeroMQ

struct CollectorOptions: ParsableArguments {
    @Option(help: "HTTP address to listen on, HOST:PORT. (env PIXELPULSE_HTTP; default 127.0.0.1:8080)")
    var http: String?

    @Option(help: "This collector's id, sent with every batch. (env PIXELPULSE_COLLECTOR_ID; default the host name)")
    var collectorID: String?

    @Option(help: "HTTP event loops (threads). (env PIXELPULSE_EVENT_LOOPS; default one per core)")
    var eventLoops: Int?

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

    @OptionGroup var linkSecrets: LinkSecretOptions

    @Option(help: "Hosts an unsigned tracking link may send to, comma-separated; *.example.com for its subdomains. (env PIXELPULSE_LINK_ALLOW_HOSTS; default: none, every link signed)")
    var linkAllowHosts: String?

    @Option(help: "YAML file of pixel sets that tracking links fire on the way (px=NAME), read again on SIGHUP. (env PIXELPULSE_PIXEL_SETS)")
    var pixelSets: String?

    @Option(help: "File of the bearer tokens that may report conversions (POST /v1/conversions, GET /v1/postback), one per line; read again on SIGHUP. (env PIXELPULSE_CONVERSION_TOKENS_FILE; tokens themselves, comma-separated, in PIXELPULSE_CONVERSION_TOKENS)")
    var conversionTokensFile: String?

    @OptionGroup var currency: CurrencyOption

    @Option(help: "Milliseconds a conversion report waits for the aggregator's verdict before answering pending. (default 2000)")
    var conversionConfirmMs: Int = 2000

    @Option(help: "A MaxMind-format country database (GeoLite2-Country, DB-IP Lite Country .mmdb): hits' countries for the country segment. (env PIXELPULSE_COUNTRY_DATABASE; default: no country)")
    var countryDatabase: String?

    @Option(help: "This collector's CURVE key pair file, for an aggregator with --server-key. (env PIXELPULSE_COLLECTOR_KEY)")
    var collectorKey: String?

    @Option(help: "The aggregator's public key: its 40 Z85 characters or its .pub file. (env PIXELPULSE_AGGREGATOR_KEY)")
    var aggregatorKey: String?

    /// The pixel-set file, when there is one.
    var pixelSetFile: PixelSetFile? {
        (pixelSets ?? environment("PIXELPULSE_PIXEL_SETS")).map { PixelSetFile(path: $0) }
    }

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
        if let text = eventLoops.map(String.init) ?? environment("PIXELPULSE_EVENT_LOOPS") {
            guard let loops = Int(text), (1...256).contains(loops) else {
                throw ValidationError("--event-loops must be a number of threads from 1 to 256, got \"\(text)\"")
            }
            configuration.eventLoopThreads = loops
        }
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
        if let path = countryDatabase ?? environment("PIXELPULSE_COUNTRY_DATABASE") {
            do {
                configuration.countryDatabase = try CountryDatabase(path: path)
            } catch {
                throw Failure("--country-database: \(error)")
            }
        }
        configuration.linkSecrets = try linkSecrets.secrets()?.secrets
        if let hosts = linkAllowHosts ?? environment("PIXELPULSE_LINK_ALLOW_HOSTS") {
            do {
                configuration.linkAllowedHosts = try LinkAllowlist(parsing: hosts)
            } catch {
                throw ValidationError("--link-allow-hosts: \(error)")
            }
        }
        if let file = pixelSetFile {
            do {
                configuration.pixelSets = try file.load()
            } catch {
                throw Failure("--pixel-sets: \(error)")
            }
        }
        guard queueLimit >= 1 else { throw ValidationError("--queue-limit must be at least 1") }
        configuration.queueLimit = queueLimit
        configuration.spoolDirectory = (spoolDir ?? environment("PIXELPULSE_SPOOL_DIR")).map { URL(fileURLWithPath: $0) }
        let limitText = spoolLimitMb.map(String.init) ?? environment("PIXELPULSE_SPOOL_LIMIT_MB") ?? "1024"
        guard let limit = Int(limitText), (1...(1 << 30)).contains(limit) else {
            throw ValidationError("--spool-limit-mb must be a positive number of megabytes, got \"\(limitText)\"")
        }
        configuration.spoolLimitBytes = limit << 20
        configuration.conversionTokens = ConversionTokens(try conversionTokenSource.load())
        configuration.currency = try currency.code()
        guard conversionConfirmMs > 0 else { throw ValidationError("--conversion-confirm-ms must be positive") }
        configuration.conversionConfirmTimeout = .milliseconds(conversionConfirmMs)
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

    /// Where the conversion tokens come from.
    var conversionTokenSource: ConversionTokenSource {
        ConversionTokenSource(
            file: (conversionTokensFile ?? environment("PIXELPULSE_CONVERSION_TOKENS_FILE")).map { URL(fileURLWithPath: $0) },
            environment: environment("PIXELPULSE_CONVERSION_TOKENS"))
    }
}

/// The conversion tokens: those of `PIXELPULSE_CONVERSION_TOKENS` (comma-separated) and
/// those of the tokens file.
struct ConversionTokenSource: Sendable {
    let file: URL?
    let environment: String?

    func load() throws -> [String] {
        var tokens = (environment ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if let short = tokens.first(where: { $0.utf8.count < ConversionTokens.minimumLength }) {
            throw ValidationError(
                "PIXELPULSE_CONVERSION_TOKENS: a token of \(short.utf8.count) bytes; tokens need at least \(ConversionTokens.minimumLength) (make one with `openssl rand -hex 32`)")
        }
        if let file {
            do {
                tokens += try ConversionTokens.read(file: file)
            } catch {
                throw ValidationError("--conversion-tokens-file: \(error)")
            }
        }
        return tokens
    }
}

/// The currency conversion values are counted in, for the collector (which refuses others)
/// and the dashboard (which shows values in it).
struct CurrencyOption: ParsableArguments {
    @Option(help: "The currency conversion values are counted in (ISO 4217, such as EUR): the collector refuses reported conversions in another, the dashboard shows values in it. (env PIXELPULSE_CURRENCY; default: values as they come, shown as minor units ÷ 100)")
    var currency: String?

    /// The code given, checked; `nil` when none is.
    func code() throws -> String? {
        guard let code = currency ?? environment("PIXELPULSE_CURRENCY") else { return nil }
        guard ConversionRules.isCurrencyCode(code) else {
            throw ValidationError("--currency must be three capital letters (ISO 4217), such as EUR, got \"\(code)\"")
        }
        return code
    }
}
