/// One window of a stats body: the counters and the rates derived from them.
public struct WindowStats: Sendable, Hashable, Decodable {
    public var views: UInt64
    public var clicks: UInt64
    public var conversions: UInt64
    /// Conversion value, in minor units.
    public var value: UInt64
    /// Estimated unique visitors: in a campaign rollup; `nil` in a pixel's stats.
    public var uniques: UInt64?
    /// clicks / views; `nil` without views.
    public var ctr: Double?
    /// conversions / clicks; `nil` without clicks.
    public var cvr: Double?
}
