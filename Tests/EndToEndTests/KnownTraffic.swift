import PixelAggregator
import PixelCore
import PixelPulseTesting

/// Hits of known counts per key, sent straight to an aggregator's ingest socket as a
/// collector sends them, each batch acknowledged (so counted) before ``send(to:)`` returns.
struct KnownTraffic {
    struct Key {
        var campaign: CampaignID
        var pixel: PixelID
        var views: Int
        var clicks = 0
        var conversions = 0
        /// Each conversion's value, in minor units.
        var value: UInt64 = 0
        /// Hits from robots.
        var bots = 0
    }

    var keys: [Key]

    func send(to live: LiveAggregator) async throws {
        let now = Aggregator.wallClock()
        var hits: [HitEvent] = []
        for key in keys {
            for kind in [(EventKind.view, key.views), (.click, key.clicks), (.conversion, key.conversions), (.bot, key.bots)] {
                for _ in 0..<kind.1 {
                    hits.append(HitEvent(
                        time: now, kind: kind.0, campaign: key.campaign, pixel: key.pixel, value: kind.0 == .conversion ? key.value : nil))
                }
            }
        }
        var frames: [[UInt8]] = []
        for start in stride(from: 0, to: hits.count, by: 500) {
            var batch = EventBatch(collector: "known-traffic", sequence: UInt64(frames.count + 1))
            for hit in hits[start..<min(start + 500, hits.count)] { batch.append(hit) }
            frames.append(batch.encoded())
        }
        let endpoint = live.endpoints.ingest
        let context = live.context
        let acks = try await onSocketThread { [frames] in try sendAndAwaitAcks(frames, to: endpoint, context: context) }
        guard acks.allSatisfy({ $0?.status == .accepted }) else { throw TestFailure.message("not every batch was accepted: \(acks)") }
    }
}
