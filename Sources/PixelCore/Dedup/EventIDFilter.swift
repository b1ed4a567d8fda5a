/// Remembers event ids for a while, so that a hit sent twice (a reloaded confirmation page,
/// a retried postback) counts once.
///
/// Two generations of ids: the current one and the one before. Every ``horizon`` ms the
/// older is forgotten, so an id is remembered for at least `horizon` and at most twice
/// that, and a lookup costs two set probes. Memory is about 40 bytes per remembered id.
public struct EventIDFilter: Sendable {
    /// The least time, in ms, an id is remembered.
    public let horizon: Int64
    private var current: Set<UInt64> = []
    private var previous: Set<UInt64> = []
    private var generationStart: Int64?

    /// Creates a filter that remembers ids for at least `horizon` ms (one hour by default).
    public init(horizon: Int64 = 3_600_000) {
        precondition(horizon > 0)
        self.horizon = horizon
    }

    /// The number of ids remembered.
    public var count: Int { current.count + previous.count }

    /// Records `id`, scoped to `scope` (e.g. a campaign's key), at clock time `now` (ms).
    ///
    /// - Returns: `true` when it is new, `false` for a duplicate.
    public mutating func insert(_ id: EventID, scope: Int, now: Int64) -> Bool {
        let start = generationStart ?? now
        if now - start >= horizon {
            previous = now - start >= 2 * horizon ? [] : current
            current.removeAll(keepingCapacity: true)
            generationStart = now
        } else if generationStart == nil {
            generationStart = now
        }
        let key = id.rawValue ^ (UInt64(truncatingIfNeeded: scope) &* 0x9e37_79b9_7f4a_7c15)
        guard !previous.contains(key) else { return false }
        return current.insert(key).inserted
    }

    /// Writes the ids remembered, for a checkpoint.
    package func encode(into writer: inout ByteWriter) {
        writer.write(generationStart ?? .min)
        for set in [current, previous] {
            writer.write(UInt32(set.count))
            for key in set { writer.write(key) }
        }
    }

    /// Reads ids written by ``encode(into:)``.
    package init(decoding reader: inout ByteReader, horizon: Int64) throws(WireError) {
        self.init(horizon: horizon)
        let start = try reader.read(Int64.self, "event id generation")
        generationStart = start == .min ? nil : start
        for generation in 0..<2 {
            let count = Int(try reader.read(UInt32.self, "event id count"))
            guard count <= reader.remaining / 8 else { throw .countOutOfRange(field: "event ids", count: count) }
            var set = Set<UInt64>(minimumCapacity: count)
            for _ in 0..<count { set.insert(try reader.read(UInt64.self, "event id")) }
            if generation == 0 { current = set } else { previous = set }
        }
    }
}

