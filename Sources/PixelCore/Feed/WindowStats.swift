/// One window of a stats body: the counters and the rates derived from them.
public struct WindowStats: Sendable, Hashable, Decodable {
    public var views: UInt64
    public var clicks: UInt64
    public var conversions: UInt64
    /// Conversion value, in minor units.
    public var value: UInt64
    /// Hits from robots, counted apart (0 from an aggregator that does not send them).
    public var bots: UInt64
    /// Estimated unique visitors: in a campaign rollup; `nil` in a pixel's stats.
    public var uniques: UInt64?
    /// The standard error of ``uniques``, in visitors; `nil` with it, or from an aggregator
    /// that does not send it.
    public var uniquesError: UInt64?
    /// clicks / views; `nil` without views.
    public var ctr: Double?
    /// conversions / clicks; `nil` without clicks.
    public var cvr: Double?

    private enum CodingKeys: String, CodingKey {
        case views, clicks, conversions, value, bots, uniques, uniquesError, ctr, cvr
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        views = try container.decode(UInt64.self, forKey: .views)
        clicks = try container.decode(UInt64.self, forKey: .clicks)
        conversions = try container.decode(UInt64.self, forKey: .conversions)
        value = try container.decode(UInt64.self, forKey: .value)
        bots = try container.decodeIfPresent(UInt64.self, forKey: .bots) ?? 0
        uniques = try container.decodeIfPresent(UInt64.self, forKey: .uniques)
        uniquesError = try container.decodeIfPresent(UInt64.self, forKey: .uniquesError)
        ctr = try container.decodeIfPresent(Double.self, forKey: .ctr)
        cvr = try container.decodeIfPresent(Double.self, forKey: .cvr)
    }

    /// Reads one window's object (see ``FeedStats/init(json:)``): `views`, `clicks`,
    /// `conversions` and `value` required; `bots` 0 when absent; the rest `null` or absent.
    init(reading reader: inout JSONReader) throws {
        var views: UInt64?, clicks: UInt64?, conversions: UInt64?, value: UInt64?
        var bots: UInt64 = 0, uniques: UInt64?, uniquesError: UInt64?, ctr: Double?, cvr: Double?
        try reader.readObject { reader, key in
            if JSONReader.key(key, is: "views") {
                views = try reader.readUInt64()
            } else if JSONReader.key(key, is: "clicks") {
                clicks = try reader.readUInt64()
            } else if JSONReader.key(key, is: "conversions") {
                conversions = try reader.readUInt64()
            } else if JSONReader.key(key, is: "value") {
                value = try reader.readUInt64()
            } else if JSONReader.key(key, is: "bots") {
                bots = try reader.readNull() ? 0 : try reader.readUInt64()
            } else if JSONReader.key(key, is: "uniques") {
                uniques = try reader.readNull() ? nil : try reader.readUInt64()
            } else if JSONReader.key(key, is: "uniquesError") {
                uniquesError = try reader.readNull() ? nil : try reader.readUInt64()
            } else if JSONReader.key(key, is: "ctr") {
                ctr = try reader.readNull() ? nil : try reader.readDouble()
            } else if JSONReader.key(key, is: "cvr") {
                cvr = try reader.readNull() ? nil : try reader.readDouble()
            } else {
                try reader.skipValue()
            }
        }
        guard let views, let clicks, let conversions, let value else { throw JSONReader.Malformed() }
        (self.views, self.clicks, self.conversions, self.value) = (views, clicks, conversions, value)
        (self.bots, self.uniques, self.uniquesError, self.ctr, self.cvr) = (bots, uniques, uniquesError, ctr, cvr)
    }
}
