/// What the aggregator has ingested since it started.
public struct IngestStatistics: Sendable, Hashable {
    /// Batches decoded and counted.
    public var batches: UInt64 = 0
    /// Batches not counted because their collector sent the same sequence number before.
    public var duplicateBatches: UInt64 = 0
    /// Frames that were not valid batches, by ``PixelCore/WireError/reason``.
    public var rejectedBatches: [String: UInt64] = [:]
    /// Events counted.
    public var events: UInt64 = 0
    /// Events not counted because their event id was seen before.
    public var duplicates: UInt64 = 0
    /// Event ids forgotten before their horizon, to stay within the limit of ids remembered:
    /// a resend of one of them would count again.
    public var eventIDsForgotten: UInt64 = 0
    /// Events older than the grace period.
    public var tooLate: UInt64 = 0
    /// Events stamped further ahead than the tolerance.
    public var tooFarInFuture: UInt64 = 0

    public init() {}
}
