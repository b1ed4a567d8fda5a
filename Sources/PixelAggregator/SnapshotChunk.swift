public import PixelCore

/// One part of a snapshot, read in one ``Aggregator`` step (see
/// ``Aggregator/snapshot(prefix:from:limit:)``).
public struct SnapshotChunk: Sendable {
    /// The feed's `seq` when the chunk was read: every later change is published above it.
    public var seq: UInt64
    /// The aggregator's clock when the chunk was read, ms since the Unix epoch.
    public var time: Int64
    /// The stats of each matching key, each with `seq` equal to ``seq``; the snapshot
    /// thread encodes them.
    public var updates: [StatsUpdate]
    /// The messages that announced the alerts firing now (first chunk only).
    public var alerts: [FeedMessage]
    /// The breakdown of each matching campaign by each dimension (first chunk only), each
    /// with `seq` equal to ``seq``.
    public var segments: [SegmentsUpdate] = []
    /// Where the next chunk starts; `nil` when this was the last.
    public var next: Int?
}
