/// One key's stats at one moment, ready to become a `stats/…` feed message.
///
/// The aggregator produces these under its lock-free single owner and leaves the JSON
/// encoding (the costly part) to the publisher thread.
public struct StatsUpdate: Sendable {
    public var topic: String
    public var campaign: CampaignID
    /// `nil` for a campaign rollup.
    public var pixel: PixelID?
    public var seq: UInt64
    /// The aggregator's clock, ms since the Unix epoch.
    public var time: Int64
    /// The windows, and what their part of the body needs.
    public var layout: StatsBodyLayout
    /// One per window, in the layout's order.
    public var counts: [Counts]

    public init(topic: String, campaign: CampaignID, pixel: PixelID?, seq: UInt64, time: Int64,
                layout: StatsBodyLayout, counts: [Counts]) {
        self.topic = topic
        self.campaign = campaign
        self.pixel = pixel
        self.seq = seq
        self.time = time
        self.layout = layout
        self.counts = counts
    }

    /// The feed message: the topic and the ``FeedStats`` JSON.
    public var message: FeedMessage {
        FeedMessage(
            topic: topic,
            body: FeedStats.encode(seq: seq, time: time, campaign: campaign, pixel: pixel, layout: layout, counts: counts))
    }
}
