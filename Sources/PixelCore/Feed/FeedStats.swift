import Foundation

/// The body of a `stats/…` feed message, live or from a snapshot: written by the
/// aggregator (``encode(seq:time:campaign:pixel:windows:counts:)``), read by clients
/// (``init(json:)``).
///
/// ```json
/// {"type":"stats","seq":42,"time":1790000000250,"campaign":"spring","pixel":null,
///  "windows":{"1m":{"views":120,"clicks":6,"conversions":1,"value":4999,"bots":3,"uniques":97,"uniquesError":1,"ctr":0.05,"cvr":0.1667},
///             "5m":{…},"15m":{…},"1h":{…}}}
/// ```
///
/// `pixel` is `null` in a campaign rollup. `bots` counts hits from robots, apart from the
/// views, clicks and conversions (and from the rates). `uniques` (estimated unique visitors, see
/// ``Counts/uniques``) is counted per campaign: a number in a rollup, `null` in a pixel's
/// body; `uniquesError` is its standard error in visitors (``Counts/uniquesError``), `null`
/// where `uniques` is. `ctr` (clicks/views) and `cvr` (conversions/clicks) are `null` when their
/// denominator is 0. `time` is the aggregator's clock in ms since the Unix epoch; `seq`
/// increases by one with every message the aggregator publishes, on any topic.
public struct FeedStats: Sendable, Hashable, Decodable {
    /// The message's `seq`: for a snapshot body, the feed's `seq` when the key was read.
    public var seq: UInt64
    /// The aggregator's clock, ms since the Unix epoch.
    public var time: Int64
    public var campaign: String
    /// `nil` for a campaign's rollup.
    public var pixel: String?
    /// Window name (`1m`, `1h`…) → its counts.
    public var windows: [String: WindowStats]
    /// The JSON body as published (empty for a value not parsed from one).
    public private(set) var body: [UInt8] = []

    private enum CodingKeys: String, CodingKey {
        case seq, time, campaign, pixel, windows
    }

    /// Parses a JSON stats body; `nil` when it is not one. Read in place (``JSONReader``):
    /// every subscriber parses every stats message it receives.
    public init?(json body: [UInt8]) {
        var reader = JSONReader(body)
        var type: String?, seq: UInt64?, time: Int64?, campaign: String?, pixel: String??
        var windows: [String: WindowStats]?
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
                } else if JSONReader.key(key, is: "pixel") {
                    pixel = .some(try reader.readNull() ? nil : try reader.readString())
                } else if JSONReader.key(key, is: "windows") {
                    var all: [String: WindowStats] = [:]
                    try reader.readObject { reader, name in all[try JSONReader.string(name)] = try WindowStats(reading: &reader) }
                    windows = all
                } else {
                    try reader.skipValue()
                }
            }
            guard reader.isAtEnd else { return nil }
        } catch {
            return nil
        }
        guard type == nil || type == "stats", let seq, let time, let campaign, let windows else { return nil }
        self.seq = seq
        self.time = time
        self.campaign = campaign
        self.pixel = pixel ?? nil
        self.windows = windows
        self.body = body
    }

    /// Encodes a body straight from the counters, windows in the order given.
    public static func encode(
        seq: UInt64, time: Int64, campaign: CampaignID, pixel: PixelID?,
        windows: [WindowSpec], counts: [Counts]
    ) -> [UInt8] {
        encode(seq: seq, time: time, campaign: campaign, pixel: pixel, layout: StatsBodyLayout(windows: windows), counts: counts)
    }

    /// Encodes a body straight from the counters, one per window of `layout`: this runs for
    /// every changed key on every tick, so it builds no ``WindowStats`` on the way and writes
    /// into one allocation.
    public static func encode(
        seq: UInt64, time: Int64, campaign: CampaignID, pixel: PixelID?, layout: StatsBodyLayout, counts: [Counts]
    ) -> [UInt8] {
        precondition(counts.count == layout.openings.count, "one Counts per window")
        let bound = layout.bound + 6 * (campaign.rawValue.utf8.count + (pixel?.rawValue.utf8.count ?? 0))
        return [UInt8](unsafeUninitializedCapacity: bound) { buffer, initialized in
            var out = ByteCursor(buffer.baseAddress!)
            out.write(#"{"type":"stats","seq":"#)
            out.write(seq)
            out.write(#","time":"#)
            out.write(time)
            out.write(#","campaign":"#)
            out.writeString(campaign.rawValue)
            out.write(#","pixel":"#)
            if let pixel { out.writeString(pixel.rawValue) } else { out.write("null") }
            out.write(#","windows":{"#)
            for (opening, counts) in zip(layout.openings, counts) {
                out.write(opening)
                out.write(counts.views)
                out.write(#","clicks":"#)
                out.write(counts.clicks)
                out.write(#","conversions":"#)
                out.write(counts.conversions)
                out.write(#","value":"#)
                out.write(counts.value)
                out.write(#","bots":"#)
                out.write(counts.bots)
                out.write(#","uniques":"#)
                if let uniques = counts.uniques { out.write(Int64(clamping: uniques)) } else { out.write("null") }
                out.write(#","uniquesError":"#)
                if let error = counts.uniquesError { out.write(Int64(clamping: error)) } else { out.write("null") }
                out.write(#","ctr":"#)
                out.write(counts.ctr)
                out.write(#","cvr":"#)
                out.write(counts.cvr)
                out.write("}")
            }
            out.write("}}")
            initialized = out.count
        }
    }
}
