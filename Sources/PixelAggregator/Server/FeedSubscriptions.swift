/// The topic prefixes the feed's subscribers have asked for, as the XPUB socket reports
/// them: each prefix once, from its first subscription to its last unsubscription (libzmq
/// keeps the count per prefix and reports only those changes).
///
/// ``wants(_:)`` runs for every stats message, with any number of prefixes (a dashboard
/// subscribes to a thousand rollups): it hashes the topic once, byte by byte, and at each
/// length some prefix has, looks the hash so far up in a set. A collision can only make it
/// say yes to a topic no one wants (the message is then encoded and libzmq drops it), never
/// no to one someone does.
struct FeedSubscriptions {
    private var prefixes: Set<[UInt8]> = []
    /// Whether someone subscribes to everything (the empty prefix).
    private var everything = false
    /// The hashes of the prefixes, and which lengths they come in.
    private var hashes: Set<UInt64> = []
    private var lengths: [Bool] = [false]

    /// Applies one XPUB subscription message: `1` or `0` (subscribe, unsubscribe), then
    /// the prefix. Anything else is ignored.
    mutating func apply(_ message: [UInt8]) {
        guard let first = message.first, first <= 1 else { return }
        let prefix = Array(message.dropFirst())
        if first == 1 { prefixes.insert(prefix) } else { prefixes.remove(prefix) }
        everything = prefixes.contains([])
        hashes = Set(prefixes.map { Self.hash($0) })
        lengths = Array(repeating: false, count: (prefixes.map(\.count).max() ?? 0) + 1)
        for prefix in prefixes { lengths[prefix.count] = true }
    }

    /// Whether some subscriber's prefix matches `topic`.
    func wants(_ topic: String) -> Bool {
        if everything { return true }
        var topic = topic
        return topic.withUTF8 { bytes in
            var hash = Self.seed
            for (index, byte) in bytes.prefix(lengths.count - 1).enumerated() {
                hash = Self.step(hash, byte)
                if lengths[index + 1], hashes.contains(hash) { return true }
            }
            return false
        }
    }

    private static let seed: UInt64 = 0xcbf2_9ce4_8422_2325

    /// FNV-1a, one byte.
    private static func step(_ hash: UInt64, _ byte: UInt8) -> UInt64 {
        (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
    }

    private static func hash(_ bytes: [UInt8]) -> UInt64 {
        bytes.reduce(seed, step)
    }
}
