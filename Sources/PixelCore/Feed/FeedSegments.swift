import Foundation

/// The body of a `segments/{campaign}/{dimension}/` feed message: one campaign's traffic
/// broken down by one ``SegmentDimension``, a row per value, every window.
///
/// ```json
/// {"type":"segments","seq":57,"time":1790000000250,"campaign":"spring","dimension":"browser",
///  "rows":[{"segment":"chrome","windows":{"1m":{"views":80,"clicks":4,"conversions":1,"value":4999,"bots":0,"ctr":0.05,"cvr":0.25},…}},
///          {"segment":"safari","windows":{…}}]}
/// ```
///
/// Rows come busiest first (events in the longest window), then by name. Past the bound
/// of values a dimension keeps per campaign, the rest are counted in the row
/// ``SegmentDimension/otherValue`` (`(other)`); hits that say nothing for the dimension
/// (no referrer, no country) in ``SegmentDimension/noneValue`` (`(none)`). The rows of a
/// dimension add up to the campaign's rollup in every window. `ctr` and `cvr` are `null`
/// when their denominator is 0.
public struct FeedSegments: Sendable, Hashable {
    public struct Row: Sendable, Hashable {
        public var segment: String
        /// Window name → its counts (no uniques: they are counted per campaign).
        public var windows: [String: WindowStats]
    }

    public var seq: UInt64
    public var time: Int64
    public var campaign: String
    public var dimension: String
    public var rows: [Row]

    /// Parses a JSON segments body; `nil` when it is not one.
    public init?(json body: [UInt8]) {
        var reader = JSONReader(body)
        var type: String?, seq: UInt64?, time: Int64?, campaign: String?, dimension: String?, rows: [Row]?
        do {
            try reader.readObject { reader, key in
                if JSONReader.key(key, is: "type") {
                    type = try reader.readString()
                } else if JSONReader.key(key, is: "seq") {
                    seq = try reader.readUInt64()
                } else if JSONReader.key(key, is: "time") {
                    time = try reader.readInt64()
                } else if JSONReader.key(key, is: "campaign") {
                    campaign = try reader.readString()
                } else if JSONReader.key(key, is: "dimension") {
                    dimension = try reader.readString()
                } else if JSONReader.key(key, is: "rows") {
                    var all: [Row] = []
                    try reader.readArray { reader in all.append(try Row(reading: &reader)) }
                    rows = all
                } else {
                    try reader.skipValue()
                }
            }
            guard reader.isAtEnd else { return nil }
        } catch {
            return nil
        }
        guard type == "segments", let seq, let time, let campaign, let dimension, let rows else { return nil }
        (self.seq, self.time, self.campaign, self.dimension, self.rows) = (seq, time, campaign, dimension, rows)
    }
}

extension FeedSegments.Row {
    init(reading reader: inout JSONReader) throws {
        var segment: String?, windows: [String: WindowStats] = [:]
        try reader.readObject { reader, key in
            if JSONReader.key(key, is: "segment") {
                segment = try reader.readString()
            } else if JSONReader.key(key, is: "windows") {
                try reader.readObject { reader, name in windows[try JSONReader.string(name)] = try WindowStats(reading: &reader) }
            } else {
                try reader.skipValue()
            }
        }
        guard let segment else { throw JSONReader.Malformed() }
        self.init(segment: segment, windows: windows)
    }
}

/// One campaign's breakdown by one dimension at one moment, ready to become a
/// `segments/…` feed message (encoded on the publisher thread, like ``StatsUpdate``).
public struct SegmentsUpdate: Sendable {
    public var topic: String
    public var campaign: CampaignID
    public var dimension: SegmentDimension
    public var seq: UInt64
    public var time: Int64
    /// Each value's counts, one per window, busiest first.
    public var rows: [(segment: String, counts: [Counts])]

    public init(campaign: CampaignID, dimension: SegmentDimension, seq: UInt64, time: Int64, rows: [(segment: String, counts: [Counts])]) {
        self.topic = FeedTopic.segments(campaign: campaign, dimension: dimension)
        self.campaign = campaign
        self.dimension = dimension
        self.seq = seq
        self.time = time
        self.rows = rows
    }

    /// The feed message, windows named as in `windows`.
    public func message(windows: [WindowSpec]) -> FeedMessage {
        var json = JSONWriter(capacity: 128 + rows.count * windows.count * 120)
        json.beginObject()
        json.member("type", "segments")
        json.member("seq", seq)
        json.member("time", time)
        json.member("campaign", campaign.rawValue)
        json.member("dimension", dimension.name)
        json.beginArray("rows")
        for row in rows {
            json.beginObject()
            json.member("segment", row.segment)
            json.beginObject("windows")
            for (window, counts) in zip(windows, row.counts) {
                json.beginObject(window.name)
                json.member("views", counts.views)
                json.member("clicks", counts.clicks)
                json.member("conversions", counts.conversions)
                json.member("value", counts.value)
                json.member("bots", counts.bots)
                json.member("ctr", counts.ctr)
                json.member("cvr", counts.cvr)
                json.endObject()
            }
            json.endObject()
            json.endObject()
        }
        json.endArray()
        json.endObject()
        return FeedMessage(topic: topic, body: json.bytes)
    }
}
