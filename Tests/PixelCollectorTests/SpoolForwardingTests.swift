import Foundation
import PixelCollector
import PixelCore
import PixelPulseTesting
import Testing
import ZeroMQ

/// The collector with a disk spool, against a real ROUTER: batches wait on disk, not in
/// memory, and go out in order once an aggregator is there.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct SpoolForwardingTests {
    private func temporaryDirectory() -> URL {
        FileManager.default.temporaryDirectory.appending(path: "pixelpulse-spool-\(UUID().uuidString.prefix(8))")
    }

    private func spoolSegments(_ directory: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".log") }
    }

    /// Far more batches than the memory queue and the unacknowledged bound hold wait on
    /// disk; an aggregator that appears later gets every one, in order; a batch arrives
    /// twice only when it was sent again (counted as resent).
    @Test func batchesWaitOnDiskBeyondTheMemoryBoundsAndDrainInOrder() async throws {
        let context = try Context()
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let endpoint = temporaryIPCEndpoint()
        let collector = try await RunningCollector.start(ingest: endpoint, context: context) {
            $0.batchSize = 2
            $0.queueLimit = 3
            $0.spoolDirectory = directory
        }
        #expect(try await collector.collector.spoolRecovery == SpoolRecovery(directory: directory.path))
        let total = 40
        try await TestHTTPConnection.with(port: collector.port) { connection in
            for index in 0..<total {
                let response = try await connection.request("GET", "/p/spool/p\(index).gif")
                #expect(response.status == 200)
            }
        }
        #expect(collector.sample("pixelpulse_collector_hits_total", #"kind="view""#) == total)
        #expect(collector.sample("pixelpulse_collector_dropped_total", #"reason="queue_full""#) == 0)
        #expect(await eventually { collector.sample("pixelpulse_collector_spool_bytes") > 40 * 50 })
        #expect(collector.sample("pixelpulse_collector_batches_sent_total") == 0)

        let ingest = try IngestStandIn.start(context: context, endpoint: endpoint)
        let (batches, repeats) = await ingest.distinctEvents(count: total)
        #expect(batches.flatMap(\.hits).map(\.pixel.rawValue) == (0..<total).map { "p\($0)" })
        #expect(batches.map(\.sequence) == (0..<batches.count).map { 1000 + UInt64($0) })
        try await collector.stop()
        let received = batches.count + repeats + ingest.batches.drain().count
        #expect(collector.sample("pixelpulse_collector_batch_acks_total", #"status="accepted""#) == received)
        #expect(received - batches.count <= collector.sample("pixelpulse_collector_batches_resent_total"))
        #expect(collector.sample("pixelpulse_collector_dropped_total", #"reason="unacked_overflow""#) == 0)
        #expect(collector.sample("pixelpulse_collector_dropped_total", #"reason="shutdown""#) == 0)
        // Acknowledged: only the segment being written is left, holding no batch.
        #expect(try spoolSegments(directory).count == 1)
        await ingest.stop()
    }

    /// An aggregator that does not acknowledge gets at most the unacknowledged bound; the
    /// rest waits in the spool, nothing is given up.
    @Test func readingPausesAtTheUnacknowledgedBound() async throws {
        let context = try Context()
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let ingest = try IngestStandIn.start(context: context, acknowledge: false)
        let collector = try await RunningCollector.start(ingest: ingest.endpoint, context: context) {
            $0.batchSize = 1
            $0.queueLimit = 2
            $0.ackTimeout = .seconds(60)
            $0.shutdownTimeout = .milliseconds(100)
            $0.spoolDirectory = directory
        }
        try await TestHTTPConnection.with(port: collector.port) { connection in
            for index in 0..<6 { _ = try await connection.request("GET", "/p/c/p\(index).gif") }
        }
        // Two arrive; a third would come within the batch delay if reading did not pause.
        #expect(await ingest.events(count: 3, timeout: .milliseconds(300)).map(\.sequence) == [1000, 1001])
        #expect(collector.sample("pixelpulse_collector_unacked_batches") == 2)
        #expect(collector.sample("pixelpulse_collector_queued_batches") == 4)
        try await collector.stop()
        #expect(collector.sample("pixelpulse_collector_dropped_total", #"reason="unacked_overflow""#) == 0)
        #expect(collector.sample("pixelpulse_collector_dropped_total", #"reason="shutdown""#) == 0)
        await ingest.stop()
    }

    /// Stopped with batches unacknowledged, the collector leaves them in the spool; the
    /// next one on the same spool sends them first, under their own sequence numbers.
    @Test func unacknowledgedBatchesSurviveARestart() async throws {
        let context = try Context()
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let endpoint = temporaryIPCEndpoint()
        let first = try await RunningCollector.start(ingest: endpoint, context: context) {
            $0.batchSize = 2
            $0.batchDelay = .seconds(30)
            $0.shutdownTimeout = .milliseconds(100)
            $0.spoolDirectory = directory
        }
        try await TestHTTPConnection.with(port: first.port) { connection in
            for index in 0..<5 { _ = try await connection.request("GET", "/p/restart/p\(index).gif") }
        }
        try await first.stop()  // the open batch is sealed into the spool, nothing is sent
        #expect(first.sample("pixelpulse_collector_dropped_total", #"reason="shutdown""#) == 0)

        let ingest = try IngestStandIn.start(context: context, endpoint: endpoint)
        let second = try await RunningCollector.start(ingest: endpoint, context: context) {
            $0.batchSize = 2
            $0.firstBatchSequence = 5000
            $0.spoolDirectory = directory
        }
        let recovery = try #require(try await second.collector.spoolRecovery)
        #expect(recovery.batches == 3)
        #expect(recovery.events == 5)
        _ = try await TestHTTPConnection.request(port: second.port, "GET", "/p/restart/p5.gif")
        let batches = await ingest.distinctEvents(count: 6).batches
        #expect(batches.map(\.sequence) == [1000, 1001, 1002, 5000])
        #expect(batches.flatMap(\.hits).map(\.pixel.rawValue) == (0..<6).map { "p\($0)" })
        try await second.stop()
        await ingest.stop()
    }

    /// At the bound new hits are answered as usual, and counted as dropped.
    @Test func aFullSpoolStillAnswersAndCountsTheDrops() async throws {
        let context = try Context()
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let collector = try await RunningCollector.start(ingest: temporaryIPCEndpoint(), context: context) {
            $0.batchSize = 4
            $0.spoolLimitBytes = 4096
            $0.shutdownTimeout = .milliseconds(100)
            $0.spoolDirectory = directory
        }
        let total = 100
        try await TestHTTPConnection.with(port: collector.port) { connection in
            for index in 0..<total {
                let response = try await connection.request("GET", "/p/full/p\(index).gif")
                #expect(response.status == 200)
                #expect(response.header("Content-Type") == "image/gif")
            }
        }
        let accepted = collector.sample("pixelpulse_collector_hits_total", #"kind="view""#)
        let dropped = collector.sample("pixelpulse_collector_dropped_total", #"reason="spool_full""#)
        #expect(accepted > 10)
        #expect(dropped > 0)
        #expect(accepted + dropped == total)
        #expect(collector.sample("pixelpulse_collector_dropped_total", #"reason="spool_error""#) == 0)
        try await collector.stop()
    }
}
