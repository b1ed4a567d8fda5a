import Foundation
import PixelAggregator
import PixelCore
import Testing

/// The ingest write-ahead log on real files: replay rebuilds the counts and the
/// de-duplication marks, a torn tail is cut off, a checksum failure stops at the damage,
/// old segments go.
@Suite struct IngestLogTests {
    static let t0: Int64 = 1_790_000_000_000

    static func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appending(path: "pixelpulse-wal-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func batch(_ sequence: UInt64, views: Int, at time: Int64 = t0) -> EventBatch {
        var batch = EventBatch(collector: "edge", sequence: sequence)
        for _ in 0..<views { batch.append(HitEvent(time: time, kind: .view, campaign: "c", pixel: "p")) }
        return batch
    }

    static func segments(_ folder: URL) throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "wal" }.sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    @Test func replayRebuildsCountsAndDuplicateMarks() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let log = try IngestLog(directory: folder, retention: 7_200_000)
        try log.append([Self.batch(1, views: 3).encoded(), Self.batch(2, views: 4).encoded()], time: Self.t0).wait()
        try log.append([Self.batch(2, views: 4).encoded()], time: Self.t0 + 10).wait()  // a resend, logged again

        let clock = TestClock(Self.t0 + 1000)
        let restored = Aggregator(configuration: AggregatorConfiguration(), clock: clock.function)
        let summary = try await IngestLog(directory: folder, retention: 7_200_000).replay(into: restored)
        #expect(summary.segments == 1 && summary.records == 3 && summary.tornBytes == 0 && summary.corruptSegments.isEmpty)
        #expect(await restored.counts(campaign: "c", pixel: "p")?[0].views == 7)
        #expect(await restored.statistics.duplicateBatches == 1)
        // The marks survived: the collector's next resend of batch 1 is not counted again.
        #expect(await restored.ingest([Self.batch(1, views: 3)]).map(\.status) == [.duplicate])
    }

    @Test func aTornLastRecordIsCutOffAndTheLogGoesOn() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try IngestLog(directory: folder, retention: 7_200_000).append([Self.batch(1, views: 2).encoded()], time: Self.t0).wait()
        let segment = try #require(try Self.segments(folder).first)
        let whole = try Data(contentsOf: segment)
        let second = try Self.folder()
        defer { try? FileManager.default.removeItem(at: second) }
        // The same record twice, the second cut short: a crash in the middle of a write.
        try (whole + whole.prefix(whole.count - 5)).write(to: second.appending(path: segment.lastPathComponent))

        let aggregator = Aggregator(configuration: AggregatorConfiguration(), clock: { Self.t0 + 1000 })
        let log = try IngestLog(directory: second, retention: 7_200_000)
        let summary = try await log.replay(into: aggregator)
        #expect(summary.records == 1)
        #expect(summary.tornBytes == whole.count - 5)
        #expect(summary.corruptSegments.isEmpty)
        #expect(try Data(contentsOf: second.appending(path: segment.lastPathComponent)) == whole)
        try log.append([Self.batch(2, views: 1).encoded()], time: Self.t0 + 2000).wait()
        #expect(try Self.segments(second).count == 2)
    }

    @Test func aChecksumFailureStopsAtTheDamageAndIsReported() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try IngestLog(directory: folder, retention: 7_200_000).append(
            [Self.batch(1, views: 2).encoded(), Self.batch(2, views: 5).encoded()], time: Self.t0).wait()
        let segment = try #require(try Self.segments(folder).first)
        var bytes = try Data(contentsOf: segment)
        bytes[bytes.count - 3] ^= 0xFF  // inside the second record
        try bytes.write(to: segment)

        let aggregator = Aggregator(configuration: AggregatorConfiguration(), clock: { Self.t0 + 1000 })
        let summary = try await IngestLog(directory: folder, retention: 7_200_000).replay(into: aggregator)
        #expect(summary.records == 1)
        #expect(summary.corruptSegments == [segment.lastPathComponent])
        #expect(await aggregator.counts(campaign: "c", pixel: "p")?[0].views == 2)
    }

    @Test func segmentsOlderThanTheRetentionAreDeleted() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let log = try IngestLog(directory: folder, retention: 60_000, segmentBytes: 1)
        for minute in 0..<5 {
            try log.append([Self.batch(UInt64(minute), views: 1).encoded()], time: Self.t0 + Int64(minute) * 60_000).wait()
        }
        // Every append begins a segment (1-byte segments); at minute 4 only the segments
        // that may hold records from the last minute remain: those of minutes 3 and 4.
        #expect(try Self.segments(folder).count == 2)
    }
}

extension IngestLog {
    /// Replays into `aggregator`, as ``DataDirectory`` does.
    func replay(into aggregator: Aggregator) async throws -> ReplaySummary {
        try await replay { batches, time, through in
            await aggregator.ingest(batches, at: time, loggedThrough: through)
        }
    }
}
