/// One key's series in one window at one moment, ready to become a series reply message.
///
/// The aggregator reads these in its actor step and leaves the JSON encoding to the
/// snapshot thread, as with ``StatsUpdate``.
public struct SeriesUpdate: Sendable {
    /// The key's stats topic (`stats/{campaign}/{pixel}/` or `stats/{campaign}/*/`).
    public var topic: String
    public var campaign: CampaignID
    /// `nil` for a campaign rollup.
    public var pixel: PixelID?
    public var seq: UInt64
    /// The aggregator's clock, ms since the Unix epoch.
    public var time: Int64
    public var series: WindowSeries

    public init(topic: String, campaign: CampaignID, pixel: PixelID?, seq: UInt64, time: Int64, series: WindowSeries) {
        self.topic = topic
        self.campaign = campaign
        self.pixel = pixel
        self.seq = seq
        self.time = time
        self.series = series
    }

    /// The reply message: the topic and the ``FeedSeries`` JSON.
    public var message: FeedMessage {
        FeedMessage(topic: topic, body: FeedSeries.encode(seq: seq, time: time, campaign: campaign, pixel: pixel, series: series))
    }
}
