import Foundation
import Testing

/// Counts that survive a kill -9: the built aggregator with `--data-dir`, killed while a
/// collector forwards, restarted on the same endpoints; the totals must equal the hits
/// sent, exactly, per key.
@Suite(.serialized) struct DurabilityProcessesTests {
    /// The hits in runs of 250, so that something can happen between two runs.
    static func chunks(_ hits: [ProcessesTests.Hit]) -> [[ProcessesTests.Hit]] {
        stride(from: 0, to: hits.count, by: 250).map { Array(hits[$0..<min($0 + 250, hits.count)]) }
    }

    @Test func killingTheAggregatorMidStreamLosesNothingAndCountsNothingTwice() async throws {
        let folder = FileManager.default.temporaryDirectory.appending(path: "pixelpulse-durable-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let binary = try Paths.pixelpulse
        let ingest = "ipc://\(folder.path)/ingest", feed = "ipc://\(folder.path)/feed"
        let arguments = [
            "aggregator", "--ingest", ingest, "--feed", feed, "--snapshot", "ipc://\(folder.path)/snapshot",
            "--tick-ms", "50", "--data-dir", folder.appending(path: "data").path,
        ]
        let first = try ChildProcess(binary, arguments)
        #expect(try await first.value(after: "data:").contains("replayed 0 batches"))
        _ = try await first.value(after: "ingest:")
        let collector = try ChildProcess(binary, [
            "collector", "--ingest", ingest, "--http", "127.0.0.1:0", "--collector-id", "edge-k9", "--batch-size", "16",
        ])
        let http = try await collector.value(after: "http:")

        var hits: [ProcessesTests.Hit] = []
        for index in 0..<4000 {
            hits.append(ProcessesTests.Hit(campaign: "durable", pixel: "p\(index % 5)", kind: index % 9 == 0 ? "click" : "view"))
        }
        let checker = try await ProcessesTests.checker(feed: feed, prefix: "stats/durable/", hits: hits, timeout: 120)
        let chunks = Self.chunks(hits)
        func send(_ chunk: [ProcessesTests.Hit]) async throws { try await fire(chunk.map { $0.url(http) }) }
        for chunk in chunks[..<6] { try await send(chunk) }
        // Killed while hits arrive and batches are in flight.
        async let inFlight: Void = send(chunks[6])
        kill(first.process.processIdentifier, SIGKILL)
        try await inFlight
        first.process.waitUntilExit()
        #expect(first.process.terminationReason == .uncaughtSignal)
        // Hits keep coming while the aggregator is down; the collector holds their batches.
        for chunk in chunks[7..<10] { try await send(chunk) }

        let second = try ChildProcess(binary, arguments)
        let replayed = try await second.value(after: "data:")
        #expect(!replayed.contains("replayed 0 batches"), "\(replayed)")
        for chunk in chunks[10...] { try await send(chunk) }

        let verdict = try await checker.line(startingWithAnyOf: ["OK", "FAIL"], timeout: .seconds(150))
        #expect(verdict.hasPrefix("OK"), "\(verdict)")
        #expect(try await checker.terminate() == 0)
        #expect(try await collector.terminate() == 0)
        #expect(try await second.terminate() == 0)
    }

    /// The link between collector and aggregator cut (a proxy that throws away everything,
    /// as a network dropping packets) while hits keep coming, then restored: the batches
    /// lost in the cut are sent again, and the counts are exact.
    @Test func aNetworkCutLosesNothingAndCountsNothingTwice() async throws {
        let binary = try Paths.pixelpulse
        let aggregator = try ChildProcess(binary, [
            "aggregator", "--ingest", "tcp://127.0.0.1:*", "--feed", "tcp://127.0.0.1:*", "--snapshot", "tcp://127.0.0.1:*",
            "--tick-ms", "50",
        ])
        let ingest = try await aggregator.value(after: "ingest:")
        let feed = try await aggregator.value(after: "feed:")
        let proxy = try ChildProcess(URL(fileURLWithPath: "/usr/bin/env"), [
            "python3", Paths.cutProxy.path, "--to", String(ingest.dropFirst("tcp://".count)),
        ])
        let proxyPort = try await proxy.value(after: "port:")
        let collector = try ChildProcess(binary, [
            "collector", "--ingest", "tcp://127.0.0.1:\(proxyPort)", "--http", "127.0.0.1:0", "--collector-id", "edge-cut",
            "--batch-size", "16",
        ], withErrors: true)
        let http = try await collector.value(after: "http:")

        let hits = (0..<3000).map { ProcessesTests.Hit(campaign: "cut", pixel: "p\($0 % 3)", kind: "view") }
        let checker = try await ProcessesTests.checker(feed: feed, prefix: "stats/cut/", hits: hits, timeout: 120)
        let chunks = Self.chunks(hits)
        func send(_ chunk: [ProcessesTests.Hit]) async throws { try await fire(chunk.map { $0.url(http) }) }
        for chunk in chunks[..<4] { try await send(chunk) }
        async let inFlight: Void = send(chunks[4])
        kill(proxy.process.processIdentifier, SIGUSR1)
        _ = try await proxy.value(after: "cut")
        try await inFlight
        for chunk in chunks[5..<8] { try await send(chunk) }
        // The collector notices the silence (its ZMTP heartbeat times out after 3 s).
        _ = try await collector.line(containing: "Aggregator link down")
        kill(proxy.process.processIdentifier, SIGUSR2)
        _ = try await proxy.value(after: "restored")
        for chunk in chunks[8...] { try await send(chunk) }
        #expect(try await collector.line(containing: "Sending unacknowledged batches again").contains("batches="))

        let verdict = try await checker.line(startingWithAnyOf: ["OK", "FAIL"], timeout: .seconds(150))
        #expect(verdict.hasPrefix("OK"), "\(verdict)")
        #expect(try await checker.terminate() == 0)
        #expect(try await collector.terminate() == 0)
        _ = try await proxy.terminate()
        #expect(try await aggregator.terminate() == 0)
    }
}
