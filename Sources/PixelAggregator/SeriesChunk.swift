public import PixelCore

/// One part of a series reply, read in one ``Aggregator`` step (see
/// ``Aggregator/series(prefix:window:from:limit:)``).
public struct SeriesChunk: Sendable {
    /// The feed's `seq` when the chunk was read.
    public var seq: UInt64
    /// The aggregator's clock when the chunk was read, ms since the Unix epoch.
    public var time: Int64
    /// The series of each matching key; the snapshot thread encodes them.
    public var series: [SeriesUpdate]
    /// Where the next chunk starts; `nil` when this was the last.
    public var next: Int?
}
