/// Live-feed topics: the first frame of every feed message, and what subscribers filter on.
///
/// Every topic ends with `/`, and ids cannot contain `/` or `*`, so a prefix never matches
/// more than it names: subscribing to `stats/c1/` never delivers campaign `c10`.
///
/// | topic                        | carries                                      |
/// |------------------------------|----------------------------------------------|
/// | `stats/<campaign>/<pixel>/`  | one pixel's windows                          |
/// | `stats/<campaign>/*/`        | the campaign's rollup (all its pixels)       |
/// | `alerts/<campaign>/<pixel>/` | an alert about one pixel firing or resolving |
/// | `alerts/<campaign>/*/`       | an alert about the campaign's rollup         |
/// | `segments/<campaign>/<dimension>/` | the campaign broken down by a dimension (``FeedSegments``) |
/// | `heartbeat/`                 | liveness and totals, at least once a second  |
///
/// Prefixes to subscribe to: `stats/<campaign>/<pixel>/` (one pixel),
/// `stats/<campaign>/*/` (one rollup), `stats/<campaign>/` (a whole campaign),
/// `stats/` (every campaign), `alerts/<campaign>/` (one campaign's alerts), `alerts/`
/// (all alerts), `segments/<campaign>/` (one campaign's breakdowns), `segments/` (all of
/// them), `heartbeat/`, or the empty prefix (everything). Dimension names
/// (``SegmentDimension``) hold no `/` either.
public enum FeedTopic {
    public static let statsPrefix = "stats/"
    public static let alertsPrefix = "alerts/"
    public static let segmentsPrefix = "segments/"
    public static let heartbeat = "heartbeat/"
    /// The last message of a snapshot reply (never published on the live feed).
    public static let snapshotEnd = "snapshot/end/"
    /// Stands for "every pixel" in a rollup's topic.
    public static let rollupMarker = "*"

    /// The topic of one pixel's stats, or of the campaign rollup when `pixel` is `nil`.
    public static func stats(campaign: CampaignID, pixel: PixelID?) -> String {
        "stats/\(campaign.rawValue)/\(pixel?.rawValue ?? rollupMarker)/"
    }

    /// The prefix that selects every stats topic of `campaign`.
    public static func stats(campaign: CampaignID) -> String { "stats/\(campaign.rawValue)/" }

    /// The topic of an alert about a pixel, or about the campaign rollup when `pixel` is `nil`.
    public static func alerts(campaign: CampaignID, pixel: PixelID?) -> String {
        "alerts/\(campaign.rawValue)/\(pixel?.rawValue ?? rollupMarker)/"
    }

    /// The topic of a campaign's breakdown by `dimension`.
    public static func segments(campaign: CampaignID, dimension: SegmentDimension) -> String {
        "segments/\(campaign.rawValue)/\(dimension.name)/"
    }

    /// The prefix that selects every breakdown of `campaign`.
    public static func segments(campaign: CampaignID) -> String { "segments/\(campaign.rawValue)/" }

    /// The prefix that selects every alert topic of `campaign`.
    public static func alerts(campaign: CampaignID) -> String { "alerts/\(campaign.rawValue)/" }
}
