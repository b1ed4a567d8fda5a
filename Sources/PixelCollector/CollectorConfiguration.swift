public import Foundation
import NIOCore
public import PixelCore
public import ZeroMQ

/// How a ``Collector`` listens, batches and forwards.
///
/// Only the ingest endpoint and the collector id are required; every other setting has a
/// default suited to one collector next to its aggregator.
public struct CollectorConfiguration: Sendable {
    /// The address to listen on.
    public var host: String = "127.0.0.1"
    /// The port to listen on; `0` lets the system choose (read it back from
    /// ``Collector/listeningPort``).
    public var port: Int = 8080
    /// The aggregator's ingest ROUTER endpoint, such as `tcp://127.0.0.1:5570` or
    /// `ipc:///run/pixelpulse/ingest`.
    public var ingestEndpoint: String
    /// The id every batch carries; with the batch sequence it lets the aggregator drop
    /// resent batches.
    public var collectorID: CollectorID
    /// Events that fill a batch, 1…65 536.
    public var batchSize: Int = 256
    /// How long after its first event a batch is sent even if not full.
    public var batchDelay: Duration = .milliseconds(5)
    /// The most batches waiting to be sent while the aggregator is away; hits arriving
    /// while it is full are dropped and counted (`pixelpulse_collector_dropped_total`).
    public var queueLimit: Int = 4096
    /// Where hits' countries come from (the `country` segment); `nil` leaves it out.
    public var countryDatabase: CountryDatabase?
    /// The directory of the disk spool; `nil` keeps batches in memory only.
    ///
    /// With a spool, every hit is written to it before its HTTP answer leaves, batches are
    /// sent from it, and what is not acknowledged survives a crash or a restart: it is sent
    /// at the next start. See ``Collector`` for the details.
    public var spoolDirectory: URL?
    /// The most bytes the spool's segments may hold; while they hold it, new hits are
    /// answered but not counted (`pixelpulse_collector_dropped_total{reason="spool_full"}`).
    public var spoolLimitBytes: Int = 1024 << 20
    /// The sequence number of the first batch; each next batch adds one.
    ///
    /// Defaults to the wall clock in microseconds when the configuration is made, so a
    /// restarted collector never reuses a sequence number the aggregator has seen (that
    /// would take more than a million batches a second). With a spool, new batches are
    /// also numbered above every batch in it.
    public var firstBatchSequence: UInt64
    /// The secret the daily visitor-hash salt is derived from.
    ///
    /// Collectors whose hits must count as the same unique visitors (several behind one
    /// load balancer) must share one secret, and a collector must keep it across restarts
    /// or a returning visitor counts twice. `nil` reads it from ``visitorSecretFile``, or
    /// else from `visitor.secret` in ``spoolDirectory`` (made with 32 random bytes on the
    /// first start), or else draws a random secret for this process alone.
    public var visitorSecret: [UInt8]?
    /// A file holding the visitor secret (its bytes, trailing spaces and newlines left
    /// out; at least 16): the way to give several collectors the same one, such as a
    /// mounted secret. It must exist; ``Collector/run()`` fails at start with
    /// ``SecretFileError`` if it is missing, unreadable or too short.
    public var visitorSecretFile: URL?
    /// The secrets tracking links and click ids are signed with (each at least 16 bytes):
    /// the first signs, every one verifies, so secrets rotate without breaking live links.
    /// Every collector that answers the same links needs the same secrets. `nil` keeps one
    /// in `link.secret` in ``spoolDirectory`` (made on the first start), or else draws a
    /// random one for this process alone. See ``LinkSecrets``.
    public var linkSecrets: [[UInt8]]?
    /// The hosts an unsigned tracking link may send to (`--link-allow-hosts`); none by
    /// default, so every link must be signed.
    public var linkAllowedHosts = LinkAllowlist()
    /// The pixel sets tracking links may fire on the way (`px=`); see ``PixelSetFile``.
    /// Replace them while the collector runs with ``LinkSettings/replacePixelSets(_:)``.
    public var pixelSets = PixelSets()
    /// The origins whose pages may use the pixel route's and `/p.js`'s answers from
    /// scripts (CORS); every origin by default. See ``AllowedOrigins``.
    public var allowedOrigins: AllowedOrigins = .any
    /// The bearer tokens that may report conversions (`POST /v1/conversions`,
    /// `GET /v1/postback`); none turns the endpoints off. Shared, so tokens can be replaced
    /// while the collector runs.
    public var conversionTokens = ConversionTokens()
    /// The currency conversion values are counted in (ISO 4217, such as `EUR`): a reported
    /// conversion in another currency is refused. `nil` takes values as they come.
    public var currency: String?
    /// How long a conversion report waits for the aggregator to confirm each item's fate;
    /// the items not confirmed by then are answered `pending`.
    public var conversionConfirmTimeout: Duration = .seconds(2)
    /// Take the client address from the first `X-Forwarded-For` entry. Turn on only
    /// behind a proxy that sets the header, or clients can choose their own address.
    public var trustForwardedFor: Bool = false
    /// A batch unacknowledged this long (while the aggregator is connected) is sent again;
    /// so is every unacknowledged batch when the connection comes back.
    public var ackTimeout: Duration = .seconds(5)
    /// CURVE credentials for an aggregator whose ingest is encrypted; `nil` for plain.
    public var curve: CurveClientCredentials?
    /// Event loop threads; one per core by default.
    public var eventLoopThreads: Int = System.coreCount
    /// How long a connection may stay silent before it is closed.
    public var idleTimeout: Duration = .seconds(60)
    /// The largest beacon body read, in bytes; a larger one is answered `413`.
    public var maxBeaconBodySize: Int = 64 * 1024
    /// How long a graceful shutdown waits: first for open requests to finish, then for
    /// the aggregator to acknowledge the last batches.
    public var shutdownTimeout: Duration = .seconds(2)

    /// Creates a configuration with default settings.
    ///
    /// - Parameters:
    ///   - ingestEndpoint: The aggregator's ingest ROUTER endpoint.
    ///   - collectorID: The id every batch carries.
    public init(ingestEndpoint: String, collectorID: CollectorID) {
        self.ingestEndpoint = ingestEndpoint
        self.collectorID = collectorID
        self.firstBatchSequence = UInt64(max(0, WallClock.microseconds()))
    }

    /// The first setting out of range, described; `nil` when all are usable.
    var problem: String? {
        if !(0...65_535).contains(port) { return "port \(port) is not 0...65535" }
        if !(1...EventBatch.maxEvents).contains(batchSize) {
            return "batchSize \(batchSize) is not 1...\(EventBatch.maxEvents)"
        }
        if batchDelay <= .zero { return "batchDelay must be positive" }
        if queueLimit < 1 { return "queueLimit must be at least 1" }
        if spoolLimitBytes < 4096 { return "spoolLimitBytes must be at least 4096" }
        if eventLoopThreads < 1 { return "eventLoopThreads must be at least 1" }
        if idleTimeout <= .zero { return "idleTimeout must be positive" }
        if maxBeaconBodySize < 0 { return "maxBeaconBodySize must not be negative" }
        if shutdownTimeout < .zero { return "shutdownTimeout must not be negative" }
        if visitorSecret != nil, visitorSecretFile != nil { return "give visitorSecret or visitorSecretFile, not both" }
        if let linkSecrets, linkSecrets.isEmpty || linkSecrets.contains(where: { $0.count < LinkKeys.minimumSecretLength }) {
            return "linkSecrets must hold at least one secret, each at least \(LinkKeys.minimumSecretLength) bytes"
        }
        if let currency, !ConversionRules.isCurrencyCode(currency) {
            return "currency \(currency) is not three capital letters (ISO 4217)"
        }
        if conversionConfirmTimeout <= .zero { return "conversionConfirmTimeout must be positive" }
        return nil
    }
}
