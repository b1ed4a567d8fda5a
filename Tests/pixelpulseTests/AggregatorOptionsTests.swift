import ArgumentParser
import Foundation
import PixelAggregator
import PixelCore
@testable import pixelpulse
import Testing
import ZeroMQ

/// The aggregator's options as `pixelpulse aggregator` and `serve` read and check them,
/// before anything binds.
@Suite(.withoutPixelPulseEnvironment)
struct AggregatorOptionsTests {
    @Test func defaultsAreLoopbackStandardWindowsAndUniques() throws {
        let options = try AggregatorOptions.parse([])
        let configuration = try options.configuration(plain: false)
        #expect(configuration.ingestEndpoint == "tcp://127.0.0.1:5570")
        #expect(configuration.feedEndpoint == "tcp://127.0.0.1:5571")
        #expect(configuration.snapshotEndpoint == "tcp://127.0.0.1:5572")
        #expect(configuration.windows == .standard)
        #expect(configuration.windows.windows.map(\.name) == ["1m", "5m", "15m", "1h"])
        #expect(configuration.windows.grace == 3_600_000)
        #expect(configuration.tickInterval == .milliseconds(250))
        #expect(configuration.uniqueVisitors)
        #expect(configuration.eventIDHorizon == 172_800_000)
        #expect(configuration.eventIDLimit == 10_000_000)
        #expect(configuration.security == nil)
        #expect(configuration.alertRules == nil)
        #expect(try options.checkpointInterval() == .seconds(60))
        #expect(try options.webhookURL() == nil)
        #expect(try options.allowlistFiles() == nil)
    }

    @Test func windowsAreSortedAndGraceDefaultsToTheLongest() throws {
        let configuration = try AggregatorOptions.parse(["--windows", "1h,90s", "--tick-ms", "100"]).configuration(plain: false)
        #expect(configuration.windows.windows.map(\.name) == ["90s", "1h"])
        #expect(configuration.windows.windows.map(\.step) == [1500, 60_000])
        #expect(configuration.windows.grace == 3_600_000)
        #expect(configuration.tickInterval == .milliseconds(100))
    }

    @Test(arguments: [(120, 120_000), (0, 0), (3600, 3_600_000)] as [(Int, Int64)])
    func graceIsGivenInSeconds(seconds: Int, milliseconds: Int64) throws {
        let configuration = try AggregatorOptions.parse(["--grace-seconds", "\(seconds)"]).configuration(plain: false)
        #expect(configuration.windows.grace == milliseconds)
    }

    @Test(arguments: [
        (["--windows", "1m,fortnight"], "--windows: cannot read window \"fortnight\"; use e.g. 90s, 1m, 15m, 1h"),
        (["--windows", "5m,5m"], "--windows: window 5m is listed twice"),
        (["--windows", ""], "--windows: at least one window is required"),
        (["--windows", "1m,90s"], "--windows: the step of 90s must be a multiple of the step of 1m"),
        (["--windows", "3s"], "--windows: the shortest window steps by 50 ms; at least 100 ms is required"),
        (["--windows", "1m,61s"], "--windows: window length 61000 ms is not a positive multiple of its step 1016 ms"),
        (["--grace-seconds", "3601"], "--windows: grace 3601000 ms must be 0…the longest window"),
        (["--grace-seconds=-1"], "--windows: grace -1000 ms must be 0…the longest window"),
        (["--tick-ms", "0"], "--tick-ms must be positive"),
        (["--tick-ms=-5"], "--tick-ms must be positive"),
    ])
    func badWindowsGraceOrTickAreRefused(arguments: [String], message: String) throws {
        let options = try AggregatorOptions.parse(arguments)
        #expect(validationMessage { try options.configuration(plain: false) } == message)
    }

    @Test func checkpointSecondsSetTheInterval() throws {
        #expect(try AggregatorOptions.parse(["--checkpoint-seconds", "15"]).checkpointInterval() == .seconds(15))
    }

    @Test(arguments: [0, -30])
    func checkpointSecondsMustBePositive(_ seconds: Int) throws {
        let options = try AggregatorOptions.parse(["--checkpoint-seconds=\(seconds)"])
        #expect(validationMessage { try options.checkpointInterval() } == "--checkpoint-seconds must be a positive number of seconds, got \"\(seconds)\"")
    }

    @Test(arguments: [("48h", 172_800_000), ("90m", 5_400_000), ("1m", 60_000), ("136h", 489_600_000)] as [(String, Int64)])
    func dedupHorizonIsADuration(text: String, milliseconds: Int64) throws {
        let configuration = try AggregatorOptions.parse(["--dedup-horizon", text]).configuration(plain: false)
        #expect(configuration.eventIDHorizon == milliseconds)
    }

    @Test(arguments: ["59s", "0", "137h", "2d", "fortnight", "-5m"])
    func dedupHorizonOutOfRangeIsRefused(_ text: String) throws {
        let options = try AggregatorOptions.parse(["--dedup-horizon=\(text)"])
        #expect(validationMessage { try options.configuration(plain: false) }
            == "--dedup-horizon must be a duration from 1m to 136h, such as 48h or 90m, got \"\(text)\"")
    }

    @Test func dedupLimitIsANumberOfIDs() throws {
        let configuration = try AggregatorOptions.parse(["--dedup-limit", "250000"]).configuration(plain: false)
        #expect(configuration.eventIDLimit == 250_000)
    }

    @Test(arguments: ["999", "0", "-1000", "4294967296", "10M", "many"])
    func dedupLimitOutOfRangeIsRefused(_ text: String) throws {
        let options = try AggregatorOptions.parse(["--dedup-limit=\(text)"])
        #expect(validationMessage { try options.configuration(plain: false) }
            == "--dedup-limit must be a number of event ids from 1000 to 4294967295, got \"\(text)\"")
    }

    @Test func segmentsAreOnWithABoundUnlessTurnedOff() throws {
        let defaults = try AggregatorOptions.parse([]).configuration(plain: false)
        #expect(defaults.segments && defaults.segmentBound == 10)
        let configured = try AggregatorOptions.parse(["--no-segments", "--segment-bound", "5"]).configuration(plain: false)
        #expect(!configured.segments && configured.segmentBound == 5)
    }

    @Test(arguments: ["0", "1001", "-3", "ten", "5.5"])
    func segmentBoundOutOfRangeIsRefused(_ text: String) throws {
        let options = try AggregatorOptions.parse(["--segment-bound=\(text)"])
        #expect(validationMessage { try options.configuration(plain: false) }
            == "--segment-bound must be a number of values from 1 to 1000, got \"\(text)\"")
    }

    @Test(arguments: [([], true), (["--no-uniques"], false), (["--uniques"], true), (["--no-uniques", "--uniques"], true)])
    func uniquesAreOnUnlessTurnedOff(arguments: [String], counted: Bool) throws {
        #expect(try AggregatorOptions.parse(arguments).configuration(plain: false).uniqueVisitors == counted)
    }

    @Test(arguments: [("--ingest", "tcp://0.0.0.0:5570"), ("--feed", "tcp://*:5571"), ("--snapshot", "tcp://10.0.0.5:5572")])
    func anEndpointOtherHostsReachNeedsCurveOrPlain(option: String, endpoint: String) throws {
        let options = try AggregatorOptions.parse([option, endpoint])
        #expect(validationMessage { try options.configuration(plain: false) } == """
            \(option) \(endpoint) is reachable from other hosts: give --server-key and --allow-collectors \
            (see pixelpulse keys --help), or --plain to send in the clear
            """)
        let plain = try options.configuration(plain: true)
        #expect([plain.ingestEndpoint, plain.feedEndpoint, plain.snapshotEndpoint].filter { $0 == endpoint }.count == 1)
        #expect(plain.security == nil)
    }

    @Test func ingestIsNamedFirstWhenEveryEndpointIsReachable() throws {
        let options = try AggregatorOptions.parse(["--snapshot", "tcp://*:3", "--feed", "tcp://*:2", "--ingest", "tcp://*:1"])
        let message = try #require(validationMessage { try options.configuration(plain: false) })
        #expect(message.hasPrefix("--ingest tcp://*:1 is reachable from other hosts"))
    }

    @Test func endpointsOnlyThisHostReachNeedNeither() throws {
        let configuration = try AggregatorOptions.parse([
            "--ingest", "ipc:///tmp/pixelpulse-ingest", "--feed", "inproc://feed", "--snapshot", "tcp://[::1]:5572",
        ]).configuration(plain: false)
        #expect(configuration.ingestEndpoint == "ipc:///tmp/pixelpulse-ingest")
        #expect(configuration.feedEndpoint == "inproc://feed")
        #expect(configuration.snapshotEndpoint == "tcp://[::1]:5572")
        #expect(configuration.security == nil)
    }

    @Test(arguments: [
        (["--server-key", "aggregator.key"], "--server-key needs --allow-collectors: ingest admits only the collectors it lists"),
        (["--allow-collectors", "collectors.allow"], "allowlists need --server-key: without CURVE there are no client keys to check"),
        (["--allow-subscribers", "subscribers.allow"], "allowlists need --server-key: without CURVE there are no client keys to check"),
    ])
    func serverKeyAndAllowlistsGoTogether(arguments: [String], message: String) throws {
        let options = try AggregatorOptions.parse(arguments)
        #expect(validationMessage { try options.configuration(plain: false) } == message)
    }

    @Test func curveAdmitsEndpointsOtherHostsReach() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let aggregator = try folder.makeKeys("aggregator")
        let edge = try folder.makeKeys("edge-1")
        let watcher = try folder.makeKeys("watcher")
        let options = try AggregatorOptions.parse([
            "--ingest", "tcp://0.0.0.0:5570", "--feed", "tcp://0.0.0.0:5571", "--snapshot", "tcp://0.0.0.0:5572",
            "--server-key", folder.path("aggregator.key"), "--allow-collectors", folder.path("edge-1.pub"),
            "--allow-subscribers", folder.path("watcher.pub"),
        ])
        let configuration = try options.configuration(plain: false)
        let security = try #require(configuration.security)
        #expect(security.keyPair == aggregator)
        #expect(security.allowlists == TransportSecurity.Allowlists(collectors: [edge.publicKey: "edge-1"], subscribers: [watcher.publicKey: "watcher"]))
        #expect(configuration.ingestEndpoint == "tcp://0.0.0.0:5570")
        let files = try #require(try options.allowlistFiles())
        #expect(files.collectors == folder.path("edge-1.pub"))
        #expect(files.subscribers == folder.path("watcher.pub"))
    }

    @Test func aServerKeyFileWithoutASecretKeyIsRefused() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.makeKeys("edge-1")
        let path = try folder.write("public-key = \"not a key\"\n", to: "aggregator.key")
        let options = try AggregatorOptions.parse(["--server-key", path, "--allow-collectors", folder.path("edge-1.pub")])
        #expect(validationMessage { try options.configuration(plain: false) } == "\(path): no valid secret-key (40 Z85 characters); is this a .pub file?")
    }

    @Test func aWebhookIsAnHTTPURL() throws {
        let url = try AggregatorOptions.parse(["--alert-webhook", "https://alerts.example:9093/api/v2/alerts"]).webhookURL()
        #expect(url?.absoluteString == "https://alerts.example:9093/api/v2/alerts")
    }

    @Test(arguments: ["ftp://alerts.example/hook", "http://", "alerts.example:9093/hook"])
    func aWebhookThatIsNoHTTPURLIsRefused(_ text: String) throws {
        let options = try AggregatorOptions.parse(["--alert-webhook", text])
        #expect(validationMessage { try options.webhookURL() } == "--alert-webhook must be an http:// or https:// URL, got \"\(text)\"")
    }

    @Test func aBadRuleFileIsNamedInTheError() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.write("rules: 5\n", to: "rules.yaml")
        let options = try AggregatorOptions.parse(["--alert-rules", path])
        let message = try #require(validationMessage { try options.configuration(plain: false) })
        #expect(message.hasPrefix("--alert-rules: \(path)"))
        #expect(message.hasSuffix("expected a list"))
    }
}
