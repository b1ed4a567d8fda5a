import Foundation
import PixelAggregator
import PixelCore
import PixelSupport
import Testing

/// The data directory on real files: a start restores the newest good checkpoint and
/// replays the log after it; a damaged newest checkpoint falls back to the one before;
/// old checkpoints and log segments are deleted once no checkpoint needs them.
@Suite struct DataDirectoryTests {
    static let retention: Int64 = 7_200_000

    /// An aggregator writing to a data directory as the ingest server does: log, count,
    /// flush.
    struct Running {
        let clock = TestClock()
        let aggregator: Aggregator
        let directory: DataDirectory
        var sequence: UInt64 = 0

        init(_ url: URL) throws {
            aggregator = Aggregator(configuration: AggregatorConfiguration(), clock: clock.function)
            directory = try DataDirectory(url: url, retention: DataDirectoryTests.retention, segmentBytes: 4096)
        }

        mutating func run(seconds: Range<Int>) async throws {
            for second in seconds {
                let batches = CheckpointTests.traffic(second: second, sequence: &sequence, at: clock.now)
                let flush = try directory.log.append(batches.map { $0.encoded() }, time: clock.now)
                await aggregator.ingest(batches, at: clock.now, loggedThrough: flush.position)
                try flush.wait()
                clock.advance(by: 1000)
            }
        }
    }

    static func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appending(path: "pixelpulse-data-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func files(_ folder: URL, _ suffix: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(suffix) }.sorted()
    }

    /// A start on `folder` at the clock of `running`.
    static func restart(_ folder: URL, at running: Running) async throws -> (Aggregator, DataDirectory.RestoreSummary) {
        let aggregator = Aggregator(configuration: AggregatorConfiguration(), clock: running.clock.function)
        let summary = try await DataDirectory(url: folder, retention: retention).restore(into: aggregator)
        return (aggregator, summary)
    }

    /// 100 s of traffic, a checkpoint, 100 s more, a second one, then 30 s more.
    static func twoCheckpointsAndMore(_ folder: URL) async throws
        -> (Running, first: DataDirectory.CheckpointSummary, second: DataDirectory.CheckpointSummary)
    {
        var running = try Running(folder)
        try await running.run(seconds: 0..<100)
        let first = try await running.directory.writeCheckpoint(of: running.aggregator)
        try await running.run(seconds: 100..<200)
        let second = try await running.directory.writeCheckpoint(of: running.aggregator)
        try await running.run(seconds: 200..<230)
        return (running, first, second)
    }

    @Test func aStartRestoresTheNewestCheckpointAndTheLogAfterIt() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (running, first, second) = try await Self.twoCheckpointsAndMore(folder)
        #expect(try Self.files(folder, ".ckpt") == [first.name, second.name])

        let (restored, summary) = try await Self.restart(folder, at: running)
        #expect(summary.checkpoint?.name == second.name)
        #expect(summary.refused.isEmpty)
        #expect(summary.replay.records == 60)  // only the batches after the checkpoint, 2 a second
        #expect(await CheckpointTests.allCounts(restored) == CheckpointTests.allCounts(running.aggregator))
        #expect(await restored.statistics.batches == 60)
    }

    @Test func aDamagedNewestCheckpointIsRefusedAndTheOneBeforeIsUsed() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (running, first, second) = try await Self.twoCheckpointsAndMore(folder)

        let newest = folder.appending(path: second.name)
        var bytes = try Data(contentsOf: newest)
        bytes[bytes.count - 100] ^= 0x40
        try bytes.write(to: newest)
        let (restored, summary) = try await Self.restart(folder, at: running)
        #expect(summary.refused.map(\.name) == [second.name])
        #expect(summary.refused.first?.reason.description.hasPrefix("checksum mismatch") == true)
        #expect(summary.checkpoint?.name == first.name)
        #expect(summary.replay.records == 260)
        #expect(await CheckpointTests.allCounts(restored) == CheckpointTests.allCounts(running.aggregator))

        // Both damaged (the newest cut short too): nothing is loaded, nothing crashes, and
        // the start goes on from the log that is left.
        try Data(bytes.prefix(bytes.count / 2)).write(to: newest)
        let older = folder.appending(path: first.name)
        try Data(try Data(contentsOf: older).prefix(30)).write(to: older)
        let (empty, both) = try await Self.restart(folder, at: running)
        #expect(both.refused.map(\.name) == [second.name, first.name])
        #expect(both.refused.allSatisfy { $0.reason.description.hasPrefix("truncated") })
        #expect(both.checkpoint == nil)
        #expect(both.replay.records > 0)
        #expect(await empty.statistics.batches == UInt64(both.replay.records))
    }

    @Test func checkpointsDeleteWhatNoCheckpointNeeds() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var running = try Running(folder)
        var names: [String] = []
        for round in 0..<4 {
            try await running.run(seconds: (round * 100)..<(round * 100 + 100))
            names.append(try await running.directory.writeCheckpoint(of: running.aggregator).name)
        }
        // The newest two checkpoints, and the log from the older of them on.
        #expect(try Self.files(folder, ".ckpt") == Array(names.suffix(2)))
        let older = try Checkpoint(fileBytes: Data(contentsOf: folder.appending(path: names[2])))
        let segments = try Self.files(folder, ".wal")
        #expect(segments.first == "ingest-\(String(format: "%016llx", older.logPosition!.segment)).wal")
        #expect(segments.count > 10)
        let (restored, summary) = try await Self.restart(folder, at: running)
        #expect(summary.replay.records == 0)
        #expect(await CheckpointTests.allCounts(restored) == CheckpointTests.allCounts(running.aggregator))
    }
}
