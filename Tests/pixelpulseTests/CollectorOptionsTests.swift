import ArgumentParser
import Foundation
import PixelCollector
import PixelCore
@testable import pixelpulse
import Testing
import ZeroMQ

/// The collector's options as `pixelpulse collector` and `serve` read and check them,
/// before anything listens.
@Suite(.withoutPixelPulseEnvironment)
struct CollectorOptionsTests {
    static let loopback = "tcp://127.0.0.1:5570"

    /// The configuration of `arguments`, with a fixed collector id (the default is the host name).
    func configuration(_ arguments: [String], ingest: String = loopback, plain: Bool = false) throws -> CollectorConfiguration {
        try CollectorOptions.parse(["--collector-id", "edge-1"] + arguments).configuration(ingestEndpoint: ingest, plain: plain)
    }

    /// Why the configuration of `arguments` is refused.
    func refusal(_ arguments: [String], ingest: String = loopback, sourceLocation: SourceLocation = #_sourceLocation) throws -> String? {
        let options = try CollectorOptions.parse(arguments)
        return validationMessage(sourceLocation: sourceLocation) { try options.configuration(ingestEndpoint: ingest, plain: false) }
    }

    @Test func defaultsListenOnLoopbackAndKeepBatchesInMemory() throws {
        let configuration = try configuration([])
        #expect(configuration.host == "127.0.0.1")
        #expect(configuration.port == 8080)
        #expect(configuration.ingestEndpoint == Self.loopback)
        #expect(configuration.collectorID == "edge-1")
        #expect(configuration.batchSize == 256)
        #expect(configuration.batchDelay == .milliseconds(5))
        #expect(configuration.queueLimit == 4096)
        #expect(configuration.spoolDirectory == nil)
        #expect(configuration.spoolLimitBytes == 1 << 30)
        #expect(configuration.visitorSecret == nil)
        #expect(!configuration.trustForwardedFor)
        #expect(configuration.curve == nil)
        #expect(configuration.countryDatabase == nil)
    }

    @Test func aCountryDatabaseThatDoesNotOpenIsRefusedWithTheReason() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.path("countries.mmdb")
        try Data("not a database".utf8).write(to: URL(fileURLWithPath: path))
        for (file, reason) in [(path, "The MaxMind DB file contains invalid metadata"),
                               (folder.path("missing.mmdb"), "Error opening the specified MaxMind DB file")] {
            let options = try CollectorOptions.parse(["--country-database", file])
            #expect(failure { try options.configuration(ingestEndpoint: Self.loopback, plain: false) }
                == "--country-database: \(file): \(reason); give a GeoLite2-Country or DB-IP Lite Country .mmdb file")
        }
    }

    @Test func everySettingReachesTheConfiguration() throws {
        let configuration = try configuration([
            "--http", "0.0.0.0:0", "--batch-size", "65536", "--batch-delay-ms", "20", "--visitor-secret", "s3cret",
            "--trust-forwarded-for", "--spool-dir", "/var/spool/pixelpulse", "--spool-limit-mb", "64", "--queue-limit", "8",
            "--event-loops", "1",
        ])
        #expect(configuration.host == "0.0.0.0")
        #expect(configuration.port == 0)
        #expect(configuration.batchSize == 65_536)
        #expect(configuration.batchDelay == .milliseconds(20))
        #expect(configuration.visitorSecret == Array("s3cret".utf8))
        #expect(configuration.trustForwardedFor)
        #expect(configuration.spoolDirectory?.path == "/var/spool/pixelpulse")
        #expect(configuration.spoolLimitBytes == 64 << 20)
        #expect(configuration.queueLimit == 8)
        #expect(configuration.eventLoopThreads == 1)
    }

    @Test(arguments: [
        (["--http", "8080"], "--http must be HOST:PORT, got \"8080\""),
        (["--http", "localhost:65536"], "--http must be HOST:PORT, got \"localhost:65536\""),
        (["--http", "localhost:http"], "--http must be HOST:PORT, got \"localhost:http\""),
        (["--collector-id", "edge 1"], "--collector-id: identifier has byte 0x20 at offset 4; allowed are A-Z a-z 0-9 - _ ."),
        (["--batch-size", "0"], "--batch-size must be 1…65536"),
        (["--batch-size", "65537"], "--batch-size must be 1…65536"),
        (["--queue-limit", "0"], "--queue-limit must be at least 1"),
        (["--event-loops", "0"], "--event-loops must be a number of threads from 1 to 256, got \"0\""),
        (["--spool-limit-mb", "0"], "--spool-limit-mb must be a positive number of megabytes, got \"0\""),
        (["--spool-limit-mb", "1073741825"], "--spool-limit-mb must be a positive number of megabytes, got \"1073741825\""),
        (["--collector-key", "edge-1.key"], "CURVE needs both --collector-key and --aggregator-key"),
        (["--aggregator-key", "aggregator.pub"], "CURVE needs both --collector-key and --aggregator-key"),
    ])
    func badSettingsAreRefused(arguments: [String], message: String) throws {
        let id = arguments.contains("--collector-id") ? [] : ["--collector-id", "edge-1"]
        #expect(try refusal(id + arguments) == message)
    }

    @Test func anAggregatorOnAnotherHostNeedsCurveOrPlain() throws {
        let remote = "tcp://aggregator.example:5570"
        #expect(try refusal(["--collector-id", "edge-1"], ingest: remote) == """
            --ingest \(remote) is on another host: give --collector-key and --aggregator-key \
            (see pixelpulse keys --help), or --plain to send in the clear
            """)
        let plain = try configuration([], ingest: remote, plain: true)
        #expect(plain.ingestEndpoint == remote)
        #expect(plain.curve == nil)
    }

    /// The aggregator's public key is taken as its 40 characters or as its `.pub` file.
    @Test(arguments: [false, true])
    func curveFromAKeyPairFileAndTheAggregatorsPublicKey(keyAsFile: Bool) throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let edge = try folder.makeKeys("edge-1")
        let aggregator = try folder.makeKeys("aggregator")
        let configuration = try configuration(
            // `=`: a Z85 key may start with `-`, which would read as an option.
            ["--collector-key", folder.path("edge-1.key"),
             "--aggregator-key=" + (keyAsFile ? folder.path("aggregator.pub") : aggregator.publicKey.z85)],
            ingest: "tcp://aggregator.example:5570")
        #expect(configuration.curve == CurveClientCredentials(keyPair: edge, serverKey: aggregator.publicKey))
    }
}
