import Foundation
import PixelPulseTesting
import Testing

/// Counts that survive a kill -9: the built aggregator with `--data-dir`, killed while a
/// collector forwards, restarted on the same endpoints; a collector with `--spool-dir`
/// killed mid-stream and restarted; an aggregator away while hits keep coming. The totals
/// must equal the hits answered, exactly, per key.
@Suite(.serialized) struct DurabilityProcessesTests {
    /// The hits in runs of 250, so that something can happen between two runs.
    static func chunks(_ hits: [ProcessesTests.Hit]) -> [[ProcessesTests.Hit]] {
        stride(from: 0, to: hits.count, by: 250).map { Array(hits[$0..<min($0 + 250, hits.count)]) }
    }

    @Test func killingTheAggregatorMidStreamLosesNothingAndCountsNothingTwice() async throws {
        let folder = try ScratchFolder("durable")
        defer { folder.remove() }
        let binary = try Paths.pixelpulse
        let (ingest, feed) = (folder.ingest, folder.feed)
        let arguments = folder.aggregatorArguments(["--data-dir", folder.url.appending(path: "data").path])
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

    /// A collector with a spool, killed with SIGKILL while curl sends hits to it and its
    /// open batch holds hundreds of answered hits never sent, restarted with the same id and
    /// spool on another port: every hit answered `200` is counted once.
    ///
    /// The kill can fall between recording a hit and answering it, so the hits sent during
    /// the kill carry event ids, and those not answered are sent again (as a client retries
    /// a pixel): the aggregator counts an event id once.
    @Test func killingACollectorWithASpoolMidStreamLosesNothing() async throws {
        let folder = try ScratchFolder("spool")
        defer { folder.remove() }
        let binary = try Paths.pixelpulse
        let (ingest, feed) = (folder.ingest, folder.feed)
        let aggregator = try ChildProcess(binary, folder.aggregatorArguments())
        _ = try await aggregator.value(after: "ingest:")
        let spool = folder.url.appending(path: "spool").path
        // Batches of 1000 and no timely seal: at the kill, the open batch holds the hits
        // answered since the last thousand, none of them sent.
        let first = try ChildProcess(binary, [
            "collector", "--ingest", ingest, "--http", "127.0.0.1:0", "--collector-id", "edge-spool", "--spool-dir", spool,
            "--batch-size", "1000", "--batch-delay-ms", "600000",
        ])
        #expect(try await first.value(after: "spool:") == "\(spool) (recovered 0 batches, 0 events)")
        let firstHTTP = try await first.value(after: "http:")

        var hits: [ProcessesTests.Hit] = []
        for index in 0..<3000 {
            hits.append(ProcessesTests.Hit(campaign: "spooled", pixel: "p\(index % 5)", kind: index % 7 == 0 ? "click" : "view"))
        }
        let checker = try await ProcessesTests.checker(feed: feed, prefix: "stats/spooled/", hits: hits, timeout: 120)
        let chunks = Self.chunks(hits)
        for chunk in chunks[..<5] { try await fire(chunk.map { $0.url(firstHTTP) }) }
        let inFlight = chunks[5..<8].joined().enumerated().map { "\($1.url(firstHTTP))&id=k9-\($0)" }
        async let answers = answered(inFlight)
        let views = "pixelpulse_collector_hits_total{kind=\"view\"}"
        #expect(try await eventually { try await metric(at: firstHTTP, views) ?? 0 >= 1100 })
        kill(first.process.processIdentifier, SIGKILL)
        let inFlightAnswers = try await answers
        first.process.waitUntilExit()
        #expect(first.process.terminationReason == .uncaughtSignal)
        #expect(inFlightAnswers.contains(true) && inFlightAnswers.contains(false), "the kill fell inside the run of hits")

        let second = try ChildProcess(binary, [
            "collector", "--ingest", ingest, "--http", "127.0.0.1:0", "--collector-id", "edge-spool", "--spool-dir", spool,
            "--batch-size", "16",
        ])
        let recovered = try await second.value(after: "spool:")
        #expect(recovered.contains("sealed the open batch of"), "\(recovered)")
        let secondHTTP = try await second.value(after: "http:")
        let retries = zip(inFlight, inFlightAnswers).filter { !$1 }.map { $0.0.replacingOccurrences(of: firstHTTP, with: secondHTTP) }
        try await fire(retries)
        for chunk in chunks[8...] { try await fire(chunk.map { $0.url(secondHTTP) }) }

        let verdict = try await checker.line(startingWithAnyOf: ["OK", "FAIL"], timeout: .seconds(150))
        #expect(verdict.hasPrefix("OK"), "\(verdict)")
        #expect(try await checker.terminate() == 0)
        #expect(try await second.terminate() == 0)
        #expect(try await aggregator.terminate() == 0)
    }

    /// The aggregator killed while hits keep coming, far more batches than the memory
    /// bounds hold (`--queue-limit 8`): the spool grows on disk, nothing is dropped, and
    /// after the aggregator is back it drains, in order, to the exact totals.
    @Test func aSpoolCarriesTrafficThroughAnAggregatorOutage() async throws {
        let folder = try ScratchFolder("outage")
        defer { folder.remove() }
        let binary = try Paths.pixelpulse
        let (ingest, feed) = (folder.ingest, folder.feed)
        let arguments = folder.aggregatorArguments(["--data-dir", folder.url.appending(path: "data").path])
        let first = try ChildProcess(binary, arguments)
        _ = try await first.value(after: "ingest:")
        let collector = try ChildProcess(binary, [
            "collector", "--ingest", ingest, "--http", "127.0.0.1:0", "--collector-id", "edge-outage",
            "--spool-dir", folder.url.appending(path: "spool").path, "--batch-size", "4", "--queue-limit", "8",
        ])
        let http = try await collector.value(after: "http:")

        let hits = (0..<2500).map { ProcessesTests.Hit(campaign: "outage", pixel: "p\($0 % 4)", kind: $0 % 5 == 0 ? "click" : "view") }
        let checker = try await ProcessesTests.checker(feed: feed, prefix: "stats/outage/", hits: hits, timeout: 120)
        let chunks = Self.chunks(hits)
        func send(_ chunk: [ProcessesTests.Hit]) async throws { try await fire(chunk.map { $0.url(http) }) }
        for chunk in chunks[..<2] { try await send(chunk) }
        kill(first.process.processIdentifier, SIGKILL)
        first.process.waitUntilExit()

        let spoolBytes = "pixelpulse_collector_spool_bytes"
        let before = try await metric(at: http, spoolBytes) ?? 0
        for chunk in chunks[2..<8] { try await send(chunk) }  // 375 batches of 4, while it is down
        #expect(try await eventually { try await metric(at: http, spoolBytes) ?? 0 > before + 1500 * 50 })
        #expect(try await metric(at: http, "pixelpulse_collector_queued_batches") ?? 0 > 300)
        for reason in ["queue_full", "unacked_overflow", "spool_full", "spool_error"] {
            #expect(try await metric(at: http, "pixelpulse_collector_dropped_total{reason=\"\(reason)\"}") == 0, "\(reason)")
        }

        let second = try ChildProcess(binary, arguments)
        _ = try await second.value(after: "ingest:")
        for chunk in chunks[8...] { try await send(chunk) }
        let verdict = try await checker.line(startingWithAnyOf: ["OK", "FAIL"], timeout: .seconds(150))
        #expect(verdict.hasPrefix("OK"), "\(verdict)")
        // Drained: nothing waits on disk or for an acknowledgement.
        #expect(try await eventually { try await metric(at: http, "pixelpulse_collector_queued_batches") == 0 })
        #expect(try await eventually { try await metric(at: http, "pixelpulse_collector_unacked_batches") == 0 })
        #expect(try await checker.terminate() == 0)
        #expect(try await collector.terminate() == 0)
        #expect(try await second.terminate() == 0)
    }

    /// Spool writes that fail (the file size limit of `ulimit -f`, as a full disk would):
    /// every pixel is still answered, the hits not written are counted as `spool_error`,
    /// a partly written record is taken back out, and the next start reads every hit that
    /// was counted as accepted.
    @Test func failedSpoolWritesAreCountedAndLeaveTheSpoolReadable() async throws {
        let folder = try ScratchFolder("efbig")
        defer { folder.remove() }
        let binary = try Paths.pixelpulse
        let spool = folder.url.appending(path: "spool").path
        let options = ["collector", "--ingest", folder.ingest, "--http", "127.0.0.1:0", "--collector-id", "edge-efbig",
                       "--spool-dir", spool, "--batch-size", "16"]
        // Files may grow to 64 KiB; past that write(2) fails with EFBIG instead of a signal.
        let limited = try ChildProcess(URL(fileURLWithPath: "/bin/bash"), [
            "-c", "trap '' XFSZ; ulimit -f 64; exec \"$0\" \"$@\"", binary.path,
        ] + options)
        let http = try await limited.value(after: "http:")
        let urls = (0..<2000).map { "\(http)/p/efbig/p\($0 % 3).gif" }
        #expect(try await answered(urls).allSatisfy { $0 }, "every pixel is answered")
        let accepted = try await metric(at: http, "pixelpulse_collector_hits_total{kind=\"view\"}") ?? 0
        let failed = try await metric(at: http, "pixelpulse_collector_dropped_total{reason=\"spool_error\"}") ?? 0
        #expect(accepted > 100 && failed > 100, "accepted \(accepted), failed \(failed)")
        #expect(accepted + failed == 2000)
        #expect(try await limited.terminate() == 0)

        let again = try ChildProcess(binary, options)
        let recovered = try await again.value(after: "spool:")
        #expect(recovered.contains(", \(Int(accepted)) events"), "\(recovered)")
        #expect(!recovered.contains("cut off"), "\(recovered)")
        #expect(try await again.terminate() == 0)
    }
}
