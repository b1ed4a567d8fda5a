/// Batches sent to the aggregator and not yet acknowledged, oldest first.
///
/// Keeps each batch's encoded bytes, to send again after a reconnect or when its ack is
/// overdue. Bounded: beyond `limit` the oldest is evicted.
struct UnackedBatches {
    struct Entry {
        let sequence: UInt64
        let events: Int
        let bytes: [UInt8]
        let sentAt: ContinuousClock.Instant
    }

    let limit: Int
    private var entries: [Entry] = []
    private var head = 0

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// The number of unacknowledged batches.
    var count: Int { entries.count - head }
    var isEmpty: Bool { count == 0 }
    /// The events in unacknowledged batches.
    var events: Int { entries[head...].reduce(0) { $0 + $1.events } }

    /// Records a sent batch.
    ///
    /// - Returns: The oldest entry, when it had to be evicted to stay within ``limit``.
    mutating func append(_ entry: Entry) -> Entry? {
        entries.append(entry)
        guard count > limit else { return nil }
        defer { head += 1; compact() }
        return entries[head]
    }

    /// Removes the batch with this sequence number.
    ///
    /// Acknowledgements normally arrive in send order, so the oldest entry is checked first.
    ///
    /// - Returns: The entry, or `nil` when it is unknown (evicted, or acknowledged before).
    mutating func remove(sequence: UInt64) -> Entry? {
        guard !isEmpty else { return nil }
        if entries[head].sequence == sequence {
            defer { head += 1; compact() }
            return entries[head]
        }
        guard let index = entries[head...].firstIndex(where: { $0.sequence == sequence }) else { return nil }
        return entries.remove(at: index)
    }

    /// Removes and returns, oldest first, the batches sent before `cutoff` (all of them
    /// when `cutoff` is `nil`): to send again.
    mutating func takeSent(before cutoff: ContinuousClock.Instant? = nil) -> [Entry] {
        let end = cutoff.map { cutoff in entries[head...].firstIndex { $0.sentAt >= cutoff } ?? entries.count } ?? entries.count
        defer {
            head = end
            compact()
        }
        return Array(entries[head..<end])
    }

    private mutating func compact() {
        if head == entries.count {
            entries.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 64, head * 2 >= entries.count {
            entries.removeFirst(head)
            head = 0
        }
    }
}
