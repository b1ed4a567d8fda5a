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

    /// Writes every collector's recent sequence numbers, oldest first, for a checkpoint.
    package func encode(into writer: inout ByteWriter) {
        writer.write(UInt32(collectors.count))
        for (collector, recent) in collectors.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            writer.write(string: collector.rawValue)
            let oldestFirst = recent.order[recent.next...] + recent.order[..<recent.next]
            writer.write(UInt32(oldestFirst.count))
            for sequence in oldestFirst { writer.write(sequence) }
        }
    }

    /// Reads sequence numbers written by ``encode(into:)``; a collector's oldest are
    /// forgotten if there are more than `capacity`.
    package init(decoding reader: inout ByteReader, capacity: Int = 16_384) throws(WireError) {
        self.init(capacity: capacity)
        let collectorCount = Int(try reader.read(UInt32.self, "collector count"))
        for _ in 0..<collectorCount {
            let name = try reader.readString("collector id")
            let collector: CollectorID
            do {
                collector = try CollectorID(validating: name)
            } catch {
                throw .invalidIdentifier(field: "collector", error)
            }
            let count = Int(try reader.read(UInt32.self, "sequence count"))
            guard count <= reader.remaining / 8 else { throw .countOutOfRange(field: "sequences", count: count) }
            for _ in 0..<count { _ = insert(collector: collector, sequence: try reader.read(UInt64.self, "sequence")) }
        }
    }
}

