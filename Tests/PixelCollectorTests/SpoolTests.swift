import Foundation
import Logging
import NIOCore
import NIOPosix
@testable import PixelCollector
import PixelCore
import PixelSupport
import Testing

/// The disk spool on real files: records written and read back, acknowledgements and
/// segment deletion, recovery from torn and damaged files, and the size bound.
@Suite struct SpoolTests {
    private let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    private func hit(_ index: Int) -> HitEvent {
        HitEvent(
            time: 1_700_000_000_000 + Int64(index), kind: index % 3 == 0 ? .click : .view,
            campaign: CampaignID(unchecked: "camp-\(index % 2)"), pixel: PixelID(unchecked: "p\(index)"),
            value: index % 5 == 0 ? UInt64(index) : nil, visitor: UInt64(index) &* 7919)
    }

    private func temporaryDirectory() -> URL {
        FileManager.default.temporaryDirectory.appending(path: "pixelpulse-spool-\(UUID().uuidString.prefix(8))")
    }

    private func openSpool(
        _ directory: URL, collector: CollectorID = "edge", limit: Int = 1 << 20, segmentBytes: Int? = nil
    ) throws -> Spool {
        try Spool(directory: directory, collector: collector, limitBytes: limit, segmentBytes: segmentBytes, logger: logger)
    }

    private func batcher(_ spool: Spool, batchSize: Int, firstSequence: UInt64 = 100) throws -> HitBatcher {
        HitBatcher(
            collector: "edge", firstSequence: max(firstSequence, spool.nextSequence), batchSize: batchSize,
            batchDelay: .seconds(60), queueLimit: 1, wake: try WakeSignal(), spool: spool)
    }

    private func segmentFiles(_ directory: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".log") }.sorted()
    }

    @Test func hitsAndSealsComeBackAsTheSameBatchesInOrder() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let spool = try openSpool(directory)
        let batcher = try batcher(spool, batchSize: 3)
        // More batches than the memory queue's limit of 1: the spool does not use it.
        for index in 0..<10 { #expect(batcher.record(hit(index)) == .accepted) }
        #expect(batcher.takeSealed(now: .now, flush: true).batches.isEmpty)
        var reader = SpoolReader(spool: spool, logger: logger)
        let batches = reader.read(limit: 100)
        #expect(batches.map(\.sequence) == [100, 101, 102, 103])
        #expect(batches.map(\.count) == [3, 3, 3, 1])
        #expect(batches.allSatisfy { $0.collector == "edge" })
        #expect(batches.flatMap(\.hits) == (0..<10).map(hit))
        #expect(reader.isAtEnd)
        #expect(spool.pending == (4, 10))
        #expect(try segmentFiles(directory) == ["spool-0000000000000001.log"])
    }

    /// A reader far behind reads the older batches from the file, then takes the ones
    /// still in memory: the same batches, in order, either way.
    @Test func aReaderBehindReadsTheFileThenCatchesUpInMemory() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let spool = try openSpool(directory, segmentBytes: 8192)
        let batcher = try batcher(spool, batchSize: 2)
        let count = 2 * (Spool.recentLimit + 50)
        for index in 0..<count { _ = batcher.record(hit(index)) }
        var reader = SpoolReader(spool: spool, logger: logger)
        var batches = reader.read(limit: 30)
        #expect(reader.batchesFromMemory == 0)
        batches += reader.read(limit: 1000)
        #expect(reader.batchesFromMemory == Spool.recentLimit)
        #expect(batches.map(\.sequence) == (0..<UInt64(count / 2)).map { 100 + $0 })
        #expect(batches.flatMap(\.hits) == (0..<count).map(hit))
        #expect(reader.isAtEnd)
        // Caught up: the next batches come from memory, and their hits are skipped over.
        for index in count..<count + 6 { _ = batcher.record(hit(index)) }
        #expect(reader.read(limit: 10).flatMap(\.hits) == (count..<count + 6).map(hit))
        #expect(reader.batchesFromMemory == Spool.recentLimit + 3)
        #expect(reader.isAtEnd)
    }

    @Test func readingStopsAtTheLimitAndGoesOnLater() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let spool = try openSpool(directory)
        let batcher = try batcher(spool, batchSize: 1)
        for index in 0..<5 { _ = batcher.record(hit(index)) }
        var reader = SpoolReader(spool: spool, logger: logger)
        #expect(reader.read(limit: 2).map(\.sequence) == [100, 101])
        #expect(!reader.isAtEnd)
        #expect(reader.read(limit: 10).map(\.sequence) == [102, 103, 104])
        #expect(reader.read(limit: 10).isEmpty)
        // A hit of the open batch is read, but no batch is handed over before its seal.
        _ = try self.batcher(spool, batchSize: 2, firstSequence: 200).record(hit(5))
        #expect(reader.read(limit: 10).isEmpty)
    }

    @Test func acknowledgedSegmentsAreDeleted() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let spool = try openSpool(directory, segmentBytes: 1024)
        let batcher = try batcher(spool, batchSize: 4)
        for index in 0..<80 { _ = batcher.record(hit(index)) }
        let files = try segmentFiles(directory)
        #expect(files.count >= 3)
        var reader = SpoolReader(spool: spool, logger: logger)
        let batches = reader.read(limit: 1000)
        #expect(batches.count == 20)
        // Acknowledging all but the last batch frees every segment before the last batch's.
        for batch in batches.dropLast() { reader.acknowledge(batch.sequence) }
        reader.acknowledge(batches[0].sequence)  // a duplicate ack changes nothing
        #expect(spool.pending == (1, 4))
        let left = try segmentFiles(directory)
        #expect(left.count <= 2 && left.count < files.count)
        reader.acknowledge(batches[19].sequence)
        #expect(try segmentFiles(directory).count == 1)
        #expect(spool.pending == (0, 0))
        #expect(spool.liveBytes == (try segmentFiles(directory).map {
            try FileManager.default.attributesOfItem(atPath: directory.appending(path: $0).path)[.size] as! Int
        }.reduce(0, +)))
    }

    @Test func acknowledgedBatchesAreNotReadAgainAfterARestart() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        do {
            let spool = try openSpool(directory)
            let batcher = try batcher(spool, batchSize: 2)
            for index in 0..<8 { _ = batcher.record(hit(index)) }
            var reader = SpoolReader(spool: spool, logger: logger)
            let batches = reader.read(limit: 10)
            reader.acknowledge(batches[0].sequence)
            reader.acknowledge(batches[2].sequence)
            reader.closeSegment()
        }
        let spool = try openSpool(directory)
        #expect(spool.recovery.batches == 2)
        #expect(spool.recovery.events == 4)
        var reader = SpoolReader(spool: spool, logger: logger)
        let again = reader.read(limit: 10)
        #expect(again.map(\.sequence) == [101, 103])
        #expect(again.flatMap(\.hits) == [hit(2), hit(3), hit(6), hit(7)])
        #expect(spool.nextSequence == 104)
    }

    /// A conversion report's batch asks the aggregator for each event's fate: the seal
    /// record says so, read from memory, from the file, and after a restart.
    @Test func aBatchThatAsksForFatesSaysSoOnDisk() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let conversions = (10..<13).map { HitEvent(time: 1_700_000_000_000, kind: .conversion, campaign: "c", pixel: "p", value: UInt64($0)) }
        do {
            let spool = try openSpool(directory)
            let batcher = try batcher(spool, batchSize: 100)
            for index in 0..<2 { _ = batcher.record(hit(index)) }
            let promise = MultiThreadedEventLoopGroup.singleton.next().makePromise(of: FateWaiters.Answer.self)
            defer { promise.succeed(nil) }
            #expect(try batcher.submit(conversions, waiting: promise).get() == (sequence: 101, stored: 3))
            _ = batcher.record(hit(2))
            _ = batcher.takeSealed(now: .now, flush: true)
            var reader = SpoolReader(spool: spool, logger: logger)
            let batches = reader.read(limit: 10)
            #expect(batches.map(\.reportsFates) == [false, true, false])
            #expect(batches[1].hits == conversions)
            reader.closeSegment()
        }
        let spool = try openSpool(directory)
        var reader = SpoolReader(spool: spool, logger: logger)
        let again = reader.read(limit: 10)
        #expect(again.map(\.sequence) == [100, 101, 102])
        #expect(again.map(\.reportsFates) == [false, true, false])
    }

    @Test func recoverySealsTheBatchOpenAtTheCrash() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        do {
            let spool = try openSpool(directory)
            let batcher = try batcher(spool, batchSize: 4)
            for index in 0..<6 { _ = batcher.record(hit(index)) }  // one batch sealed, two hits open
        }
        let spool = try openSpool(directory)
        #expect(spool.recovery.batches == 2)
        #expect(spool.recovery.events == 6)
        #expect(spool.recovery.sealedOpenEvents == 2)
        #expect(spool.recovery.cutBytes == 0)
        var reader = SpoolReader(spool: spool, logger: logger)
        let batches = reader.read(limit: 10)
        #expect(batches.map(\.sequence) == [100, 101])
        #expect(batches.flatMap(\.hits) == (0..<6).map(hit))
        // New batches are numbered above the recovered ones, even with an earlier clock.
        let next = try batcher(spool, batchSize: 1, firstSequence: 5)
        _ = next.record(hit(6))
        #expect(reader.read(limit: 10).map(\.sequence) == [102])
    }

    /// Batches go out again under the id they were recorded under, even when the collector
    /// now runs under another: the aggregator recognises what it has counted.
    @Test func spooledBatchesKeepTheirCollectorID() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        do {
            let spool = try openSpool(directory)
            _ = try batcher(spool, batchSize: 2).record(hit(0))
        }
        let spool = try openSpool(directory, collector: "edge-renamed")
        var reader = SpoolReader(spool: spool, logger: logger)
        let batches = reader.read(limit: 10)
        #expect(batches.map(\.collector) == ["edge"])
        #expect(batches.map(\.sequence) == [100])
    }

    @Test func recoveryCutsOffATornTail() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        do {
            let spool = try openSpool(directory)
            let batcher = try batcher(spool, batchSize: 3)
            for index in 0..<7 { _ = batcher.record(hit(index)) }  // two sealed, one hit open
        }
        let file = directory.appending(path: "spool-0000000000000001.log")
        let size = try FileManager.default.attributesOfItem(atPath: file.path)[.size] as! Int
        // The last hit record loses its last 5 bytes, as if the machine stopped mid-write.
        #expect(truncate(file.path, off_t(size - 5)) == 0)

        let spool = try openSpool(directory)
        #expect(spool.recovery.cutBytes > 0)
        #expect(spool.recovery.damagedSegments.isEmpty)
        #expect(spool.recovery.batches == 2)
        #expect(spool.recovery.sealedOpenEvents == 0)
        var reader = SpoolReader(spool: spool, logger: logger)
        #expect(reader.read(limit: 10).flatMap(\.hits) == (0..<6).map(hit))
    }

    @Test func recoveryStopsAtADamagedRecordAndKeepsTheRest() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var sealed: [UInt64] = []
        do {
            let spool = try openSpool(directory, segmentBytes: 1024)
            let batcher = try batcher(spool, batchSize: 4)
            for index in 0..<60 { _ = batcher.record(hit(index)) }
            var reader = SpoolReader(spool: spool, logger: logger)
            sealed = reader.read(limit: 100).map(\.sequence)
            reader.closeSegment()
        }
        let files = try segmentFiles(directory)
        try #require(files.count >= 3)
        // One flipped byte in the middle of the oldest segment.
        let first = directory.appending(path: files[0])
        var bytes = try Data(contentsOf: first)
        let middle = bytes.count / 2
        bytes[middle] ^= 0xFF
        try bytes.write(to: first)

        let spool = try openSpool(directory, segmentBytes: 1024)
        #expect(spool.recovery.damagedSegments == [files[0]])
        #expect(spool.recovery.cutBytes > 0)
        var reader = SpoolReader(spool: spool, logger: logger)
        let batches = reader.read(limit: 100)
        // Every batch before the damage and every batch of the later segments, in order.
        #expect(batches.count < sealed.count)
        #expect(batches.count >= sealed.count - 2)
        #expect(batches.map(\.sequence) == sealed.filter(Set(batches.map(\.sequence)).contains))
        #expect(batches.last?.sequence == sealed.last)
        for batch in batches {
            let first = Int(batch.sequence - 100) * 4
            #expect(batch.hits == (first..<first + 4).map(hit))
        }
        // The damaged file was cut at the damage: a second start finds it clean.
        let again = try openSpool(directory, segmentBytes: 1024)
        #expect(again.recovery.damagedSegments.isEmpty)
        #expect(again.recovery.cutBytes == 0)
    }

    @Test func aFullSpoolRefusesHitsUntilSegmentsAreDeleted() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let spool = try openSpool(directory, limit: 8192, segmentBytes: 1024)
        let batcher = try batcher(spool, batchSize: 4)
        var outcomes: [HitBatcher.Outcome] = []
        for index in 0..<200 { outcomes.append(batcher.record(hit(index))) }
        let accepted = outcomes.filter { $0 == .accepted }.count
        #expect(accepted > 20)
        #expect(outcomes[accepted...].allSatisfy { $0 == .dropped(.spoolFull) })
        #expect(spool.liveBytes <= 8192 + 64)  // seal records are written beyond the bound
        // Acknowledgements free whole segments; then hits are taken again.
        _ = batcher.takeSealed(now: .now, flush: true)
        var reader = SpoolReader(spool: spool, logger: logger)
        for batch in reader.read(limit: 1000) { reader.acknowledge(batch.sequence) }
        #expect(spool.liveBytes < 2048)
        #expect(batcher.record(hit(1000)) == .accepted)
    }
}
