public import PixelCore

/// What made a ``FeedClient`` yield a new ``FeedState``.
public enum FeedEvent: Sendable, Hashable {
    /// The first consistent state: a snapshot plus the live updates that followed it.
    case snapshot
    /// Live updates applied to these topics, in order.
    case update([String])
    /// Alerts fired or resolved, in order (``FeedState/alerts`` holds those still firing).
    case alerts([FeedAlert])
    /// A heartbeat arrived (``FeedState/heartbeat`` changed).
    case heartbeat
    /// Nothing arrived for the silence timeout: the state is stale until a
    /// ``resynced(_:)`` state replaces it.
    case silent
    /// The state was rebuilt from a new snapshot, for this reason.
    case resynced(ResyncReason)
}

/// Why a ``FeedClient`` threw its state away and asked for a new snapshot.
public enum ResyncReason: String, Sendable, Hashable {
    /// A heartbeat carried a new `startedAt`: the aggregator restarted and its counts and
    /// `seq` started over.
    case restarted
    /// Nothing arrived (not even a heartbeat) for the silence timeout: the aggregator died
    /// or the network dropped; the state is rebuilt once heartbeats come back.
    case silence
    /// A subscriber of everything (the empty prefix) saw `seq` skip a number: messages were
    /// dropped (the publisher's high-water mark).
    case gap
}
