import Foundation
import Testing

/// Checkpoints with real processes: an aggregator stopped gracefully writes a checkpoint
/// that its next start restores (with nothing left to replay); a damaged newest
/// checkpoint is refused, logged with the reason, and the one before it used; a kill -9
/// after checkpoints restores the newest and the log after it — the totals stay exact
/// throughout, per key, and the campaign's unique visitors come through too.
@Suite(.serialized) struct CheckpointProcessesTests {
    @Test func restartsRestoreCheckpointsRefuseADamagedOneAndSurviveAKill() async throws {
        let folder = try ScratchFolder("ckpt")
        defer { folder.remove() }
        let binary = try Paths.pixelpulse
        let data = folder.url.appending(path: "data")
        let (ingest, feed) = (folder.ingest, folder.feed)
        let arguments = folder.aggregatorArguments(["--data-dir", data.path, "--checkpoint-seconds", "1"])
        func start() async throws -> (ChildProcess, String) {
            let aggregator = try ChildProcess(binary, arguments, withErrors: true)
            let restored = try await aggregator.value(after: "data:")
            _ = try await aggregator.value(after: "ingest:")
            return (aggregator, restored)
        }
        var (aggregator, restored) = try await start()
        #expect(restored.contains("no checkpoint, replayed 0 batches"), "\(restored)")
        let collector = try ChildProcess(binary, [
            "collector", "--ingest", ingest, "--http", "127.0.0.1:0", "--collector-id", "edge-ckpt", "--batch-size", "16",
        ])
        let http = try await collector.value(after: "http:")
        let hits = (0..<3500).map {
            ProcessesTests.Hit(campaign: "ckpt", pixel: "p\($0 % 4)", kind: $0 % 7 == 0 ? "click" : "view", visitor: $0 % 11)
        }
        let checker = try await ProcessesTests.checker(feed: feed, prefix: "stats/ckpt/", hits: hits, timeout: 120)
        let chunks = DurabilityProcessesTests.chunks(hits)
        func send(_ chunk: [ProcessesTests.Hit]) async throws { try await ProcessesTests.send(chunk, to: http) }

        for chunk in chunks[..<4] { try await send(chunk) }
        _ = try await aggregator.line(containing: "Wrote a checkpoint")
        // A graceful stop writes a last checkpoint after ingest has stopped: the next start
        // restores it and has nothing to replay.
        #expect(try await aggregator.terminate() == 0)
        for chunk in chunks[4..<6] { try await send(chunk) }
        (aggregator, restored) = try await start()
        #expect(restored.contains("restored, then replayed 0 batches"), "\(restored)")

        for chunk in chunks[6..<9] { try await send(chunk) }
        #expect(try await aggregator.terminate() == 0)
        let checkpoints = try FileManager.default.contentsOfDirectory(atPath: data.path).filter { $0.hasSuffix(".ckpt") }.sorted()
        #expect(checkpoints.count == 2, "\(checkpoints)")
        let newest = try #require(checkpoints.last)
        var bytes = try Data(contentsOf: data.appending(path: newest))
        bytes[bytes.count / 2] ^= 0x10
        try bytes.write(to: data.appending(path: newest))

        (aggregator, restored) = try await start()
        let refusal = try await aggregator.line(containing: "Refused a checkpoint")
        #expect(refusal.contains(newest) && refusal.contains("checksum mismatch"), "\(refusal)")
        #expect(restored.contains("checkpoint \(checkpoints[0]) restored"), "\(restored)")

        // A kill -9 after checkpoints were written: the next start restores the newest and
        // replays the log after it.
        try await send(chunks[9])
        _ = try await aggregator.line(containing: "Wrote a checkpoint")
        async let inFlight: Void = send(chunks[10])
        kill(aggregator.process.processIdentifier, SIGKILL)
        try await inFlight
        aggregator.process.waitUntilExit()
        (aggregator, restored) = try await start()
        #expect(restored.contains(" restored, then replayed"), "\(restored)")
        for chunk in chunks[11...] { try await send(chunk) }

        let verdict = try await checker.line(startingWithAnyOf: ["OK", "FAIL"], timeout: .seconds(150))
        #expect(verdict.hasPrefix("OK"), "\(verdict)")
        #expect(try await checker.terminate() == 0)
        #expect(try await collector.terminate() == 0)
        #expect(try await aggregator.terminate() == 0)
    }
}
