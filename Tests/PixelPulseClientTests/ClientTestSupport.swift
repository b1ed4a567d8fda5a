import PixelAggregator
import PixelCore
import PixelPulseTesting
import ZeroMQ

/// Sends batches to an ingest endpoint and waits for every acknowledgement.
func send(_ batches: [EventBatch], to endpoint: String, context: Context) async throws {
    let frames = batches.map { $0.encoded() }
    _ = try await onSocketThread { try sendAndAwaitAcks(frames, to: endpoint, context: context) }
}

/// Views of `pixels` pixels (`p0`…) of `campaign`, `count` in all, in batches of 500.
func viewBatches(_ count: Int, campaign: CampaignID, pixels: Int, firstSequence: UInt64) -> [EventBatch] {
    let now = Aggregator.wallClock()
    var batches: [EventBatch] = []
    for start in stride(from: 0, to: count, by: 500) {
        var batch = EventBatch(collector: "edge-1", sequence: firstSequence + UInt64(batches.count))
        for i in start..<min(start + 500, count) {
            batch.append(HitEvent(time: now, kind: .view, campaign: campaign, pixel: PixelID(unchecked: "p\(i % pixels)")))
        }
        batches.append(batch)
    }
    return batches
}

struct Timeout: Error {}

/// The first element of `sequence` that satisfies `predicate`, or `Timeout` after `limit`.
func first<S: AsyncSequence & Sendable>(
    of sequence: S, within limit: Duration = .seconds(20), where predicate: @escaping @Sendable (S.Element) -> Bool
) async throws -> S.Element where S.Element: Sendable {
    try await withThrowingTaskGroup(of: S.Element?.self) { tasks in
        tasks.addTask {
            for try await element in sequence where predicate(element) { return element }
            return nil
        }
        tasks.addTask {
            try await Task.sleep(for: limit)
            throw Timeout()
        }
        defer { tasks.cancelAll() }
        guard let element = try await tasks.next()! else { throw Timeout() }
        return element
    }
}
