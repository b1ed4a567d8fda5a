/// The most recent feed messages of the current aggregator run, in `seq` order, for
/// resuming a stream after `Last-Event-ID`.
struct FeedRing: Sendable {
    private var messages: [DashboardMessage] = []
    let capacity: Int
    /// Every message above this `seq` is held: the state's `seq` at the last snapshot or
    /// resync, then the `seq` of the last message evicted.
    private(set) var floor: UInt64 = 0

    init(capacity: Int) { self.capacity = max(1, capacity) }

    /// Forgets everything: a new snapshot at `seq` (a start, a restart or a resync).
    mutating func reset(at seq: UInt64) {
        messages.removeAll()
        floor = seq
    }

    /// Adds a message, in `seq` order (the feed client yields alerts and stats of one
    /// drain apart, so a message may come after one with a higher `seq`).
    mutating func append(_ message: DashboardMessage) {
        guard message.seq > floor else { return }
        var index = messages.endIndex
        while index > messages.startIndex, messages[index - 1].seq > message.seq { index -= 1 }
        messages.insert(message, at: index)
        // Evicts in chunks, so an append costs a move of the array only now and then.
        if messages.count > capacity + capacity / 4 {
            let excess = messages.count - capacity
            floor = messages[excess - 1].seq
            messages.removeFirst(excess)
        }
    }

    /// The messages after `seq`, or `nil` when the ring no longer holds them all (or `seq`
    /// is ahead of `latest`, the state's `seq`: an id from another run).
    func messages(after seq: UInt64, latest: UInt64) -> [DashboardMessage]? {
        guard seq >= floor, seq <= latest else { return nil }
        return messages.filter { $0.seq > seq }
    }

    var count: Int { messages.count }
}
