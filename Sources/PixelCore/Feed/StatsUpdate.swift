/// One key's stats at one moment, ready to become a `stats/…` feed message.
///
/// The aggregator produces these under its lock-free single owner and leaves the JSON
/// encoding (the costly part) to the publisher thread. The windows' layout is not part of
/// it: every update would retain the one shared layout on the aggregator's thread and
/// release it on the publisher's, bouncing its reference count between cores.
public struct StatsUpdate: Sendable {
    public var topic: String
    public var campaign: CampaignID
    /// `nil` for a campaign rollup.
    public var pixel: PixelID?
    public var seq: UInt64
    /// The aggregator's clock, ms since the Unix epoch.
    public var time: Int64
    /// One per window, in the layout's order.
    public var counts: [Counts]

    public init(topic: String, campaign: CampaignID, pixel: PixelID?, seq: UInt64, time: Int64,
                counts: [Counts]) {
        self.topic = topic
        self.campaign = campaign
        self.pixel = pixel
        self.seq = seq
        self.time = time
        self.counts = counts
    }

    /// The feed message: the topic and the ``FeedStats`` JSON, laid out by `layout` (the
    /// windows the counts are of).
    public func message(layout: StatsBodyLayout) -> FeedMessage {
        FeedMessage(
            topic: topic,
            body: FeedStats.encode(seq: seq, time: time, campaign: campaign, pixel: pixel, layout: layout, counts: counts))
    }
}
