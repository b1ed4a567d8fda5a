@testable import PixelCollector
import PixelCore
import PixelSupport
import Testing

@Suite struct HitBatcherTests {
    private func hit(_ index: Int = 0) -> HitEvent {
        HitEvent(time: 1_700_000_000_000 + Int64(index), kind: .view, campaign: "c", pixel: "p")
    }

    @Test func sealsByCountAndNumbersBatches() throws {
        let batcher = HitBatcher(
            collector: "edge", firstSequence: 7, batchSize: 3, batchDelay: .seconds(60), queueLimit: 10,
            wake: try WakeSignal())
        for index in 0..<7 { #expect(batcher.record(hit(index)) == .accepted) }
        let (batches, deadline) = batcher.takeSealed(now: .now)
        #expect(batches.map(\.sequence) == [7, 8])
        #expect(batches.map(\.count) == [3, 3])
        #expect(deadline != nil)  // one event waits in the open batch
        #expect(batcher.queuedBatches == 2)
        batcher.markSent(2)
        let flushed = batcher.takeSealed(now: .now, flush: true)
        #expect(flushed.batches.map(\.sequence) == [9])
        #expect(flushed.batches.first?.hits == [hit(6)])
        #expect(flushed.deadline == nil)
    }

    @Test func sealsByDeadline() throws {
        let batcher = HitBatcher(
            collector: "edge", firstSequence: 1, batchSize: 100, batchDelay: .milliseconds(5), queueLimit: 10,
            wake: try WakeSignal())
        _ = batcher.record(hit())
        let (early, deadline) = batcher.takeSealed(now: .now)
        #expect(early.isEmpty)
        let due = try #require(deadline)
        #expect(batcher.takeSealed(now: due).batches.map(\.count) == [1])
    }

    @Test func dropsWhenTheQueueIsFull() throws {
        let batcher = HitBatcher(
            collector: "edge", firstSequence: 1, batchSize: 1, batchDelay: .seconds(60), queueLimit: 2,
            wake: try WakeSignal())
        #expect(batcher.record(hit(0)) == .accepted)
        #expect(batcher.record(hit(1)) == .accepted)
        #expect(batcher.record(hit(2)) == .dropped(.queueFull))
        // Taken but unsent batches still count against the limit.
        #expect(batcher.takeSealed(now: .now).batches.count == 2)
        #expect(batcher.record(hit(3)) == .dropped(.queueFull))
        batcher.markSent(2)
        #expect(batcher.record(hit(4)) == .accepted)
    }
}
