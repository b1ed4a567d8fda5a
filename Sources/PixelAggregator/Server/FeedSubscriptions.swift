/// The topic prefixes the feed's subscribers have asked for, as the XPUB socket reports
/// them: each prefix once, from its first subscription to its last unsubscription (libzmq
/// keeps the count per prefix and reports only those changes).
struct FeedSubscriptions {
    private var prefixes: Set<[UInt8]> = []
    /// Whether someone subscribes to everything (the empty prefix).
    private var everything = false

    /// Applies one XPUB subscription message: `1` or `0` (subscribe, unsubscribe), then
    /// the prefix. Anything else is ignored.
    mutating func apply(_ message: [UInt8]) {
        guard let first = message.first, first <= 1 else { return }
        let prefix = Array(message.dropFirst())
        if first == 1 { prefixes.insert(prefix) } else { prefixes.remove(prefix) }
        everything = prefixes.contains([])
    }

    /// Whether some subscriber's prefix matches `topic`.
    func wants(_ topic: String) -> Bool {
        if everything { return true }
        var topic = topic
        return topic.withUTF8 { bytes in
            prefixes.contains { prefix in prefix.count <= bytes.count && bytes.starts(with: prefix) }
        }
    }
}
