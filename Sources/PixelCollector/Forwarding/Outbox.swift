import PixelCore

/// Encoded batches waiting for the forwarder's socket, oldest first, with those to send
/// again put at the head.
struct Outbox {
    struct Item {
        let sequence: UInt64
        let events: Int
        let bytes: [UInt8]
    }

    private var items: [Item] = []
    private var head = 0

    /// The number of batches waiting.
    var count: Int { items.count - head }
    var isEmpty: Bool { head == items.count }
    /// The batches waiting, the next to send first.
    var waiting: ArraySlice<Item> { items[head...] }
    /// The next batch to send.
    var first: Item? { isEmpty ? nil : items[head] }

    /// Adds newly sealed batches at the end.
    mutating func append(_ batches: [EventBatch]) {
        items.append(contentsOf: batches.map { Item(sequence: $0.sequence, events: $0.count, bytes: $0.encoded()) })
    }

    /// Puts batches to send again at the head, in their order.
    mutating func putFirst(_ entries: [UnackedBatches.Entry]) {
        items.insert(contentsOf: entries.map { Item(sequence: $0.sequence, events: $0.events, bytes: $0.bytes) }, at: head)
    }

    /// Removes the next batch, once it is sent.
    mutating func removeFirst() {
        head += 1
    }

    /// Releases the sent batches once none is waiting, keeping the storage.
    mutating func compactIfEmpty() {
        guard isEmpty else { return }
        items.removeAll(keepingCapacity: true)
        head = 0
    }
}
