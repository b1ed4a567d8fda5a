import ArgumentParser
@testable import pixelpulse
import Testing

/// The subcommands put their option groups together without clashes, and hand each its own.
@Suite(.withoutPixelPulseEnvironment)
struct CommandLineTests {
    @Test func serveTakesAggregatorCollectorAndTransportOptionsTogether() throws {
        let parsed = try PixelPulse.parseAsRoot([
            "serve", "--demo", "--plain", "--no-uniques", "--tick-ms", "100", "--batch-size", "10", "--http", "127.0.0.1:0",
        ])
        let serve = try #require(parsed as? ServeCommand)
        #expect(serve.demo)
        #expect(serve.transport.plain)
        #expect(!serve.aggregator.uniques)
        #expect(serve.aggregator.tickMs == 100)
        #expect(serve.collector.batchSize == 10)
        #expect(serve.collector.http == "127.0.0.1:0")
    }

    @Test func collectorTakesItsIngestEndpoint() throws {
        let parsed = try PixelPulse.parseAsRoot(["collector", "--ingest", "tcp://127.0.0.2:5570", "--collector-id", "edge-1"])
        let collector = try #require(parsed as? CollectorCommand)
        #expect(collector.ingest == "tcp://127.0.0.2:5570")
        #expect(!collector.transport.plain)
        #expect(collector.collector.collectorID == "edge-1")
    }

    @Test(arguments: ["watch", "alerts"])
    func subscribersFindTheAggregatorOnLoopbackByDefault(_ subcommand: String) throws {
        let parsed = try PixelPulse.parseAsRoot([subcommand])
        let options = try #require((parsed as? WatchCommand)?.aggregator ?? (parsed as? AlertsCommand)?.aggregator)
        #expect(options.feedEndpoint == "tcp://127.0.0.1:5571")
        #expect(options.snapshotEndpoint == "tcp://127.0.0.1:5572")
        let moved = try SubscriberOptions.parse(["--connect", "tcp://aggregator.example:5571", "--snapshot", "tcp://aggregator.example:5572"])
        #expect(moved.feedEndpoint == "tcp://aggregator.example:5571")
        #expect(moved.snapshotEndpoint == "tcp://aggregator.example:5572")
    }

    @Test func aKeyNameMustBeAnIdentifier() throws {
        let error = #expect(throws: (any Error).self) { try KeysCommand.parse(["--name", "edge 1"]) }
        #expect(KeysCommand.message(for: try #require(error)) == "--name: use 1-64 of A-Z a-z 0-9 - _ .")
        #expect(try KeysCommand.parse(["--name", "edge-1", "--out", "/tmp"]).out == "/tmp")
    }
}

/// A mistake in an option a run derives its configuration from is reported before anything
/// starts, with the usage of the subcommand that has the option, not the root's.
@Suite(.withoutPixelPulseEnvironment)
struct ValidationUsageTests {
    @Test(arguments: [
        (["aggregator", "--windows", "1m,fortnight"], "Usage: pixelpulse aggregator"),
        (["serve", "--checkpoint-seconds", "0"], "Usage: pixelpulse serve"),
        (["collector", "--ingest", "tcp://10.0.0.5:5570"], "Usage: pixelpulse collector"),
        (["aggregator", "--log-level", "loud"], "Usage: pixelpulse aggregator"),
        (["aggregator", "--dedup-horizon", "30s"], "Usage: pixelpulse aggregator"),
        (["serve", "--dedup-limit", "10"], "Usage: pixelpulse serve"),
    ])
    func aBadOptionShowsItsSubcommandsUsage(_ arguments: [String], _ usage: String) {
        do {
            _ = try PixelPulse.parseAsRoot(arguments)
            Issue.record("\(arguments) parsed")
        } catch {
            let message = PixelPulse.fullMessage(for: error)
            #expect(message.hasPrefix("Error: "), "\(message)")
            #expect(message.contains(usage), "\(message)")
            #expect(PixelPulse.exitCode(for: error) != .success)
        }
    }
}
