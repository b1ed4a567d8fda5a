/// The batch sequence numbers recently seen from each collector, so a batch sent twice
/// (a collector that resends what was not acknowledged) counts once.
///
/// Each collector keeps its last ``capacity`` sequence numbers; the oldest are forgotten
/// first.
public struct RecentSequences: Sendable {
    /// How many sequence numbers are kept per collector.
    public let capacity: Int
    private var collectors: [CollectorID: Recent] = [:]

    private struct Recent {
        var set: Set<UInt64> = []
        var order: [UInt64] = []
        var next = 0
    }

    public init(capacity: Int = 16_384) {
        precondition(capacity > 0)
        self.capacity = capacity
    }

    /// Records a batch; `false` if this collector's `sequence` was recorded before.
    public mutating func insert(collector: CollectorID, sequence: UInt64) -> Bool {
        var recent = collectors.removeValue(forKey: collector) ?? Recent()
        defer { collectors[collector] = recent }
        guard recent.set.insert(sequence).inserted else { return false }
        if recent.order.count < capacity {
            recent.order.append(sequence)
        } else {
            recent.set.remove(recent.order[recent.next])
            recent.order[recent.next] = sequence
            recent.next = (recent.next + 1) % capacity
        }
        return true
    }
}
