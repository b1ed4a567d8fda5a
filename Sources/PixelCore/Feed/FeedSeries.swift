import Foundation

/// The body of a series reply: one key's counts in each step of one window, oldest first.
/// Written by the aggregator (``encode(seq:time:campaign:pixel:series:)``), read by clients
/// (``init(json:)``).
///
/// ```json
/// {"type":"series","seq":4812,"time":1790000000250,"campaign":"spring","pixel":null,
///  "window":"1h","step":60000,"start":1789996460000,
///  "views":[0,3,…,12],"clicks":[…],"conversions":[…],"value":[…],"bots":[…]}
/// ```
///
/// Each array has one number per step of the window (60 by default); element *i* counts the
/// events whose time falls in `[start + i × step, start + (i + 1) × step)`, and the last
/// element is the step that contains the aggregator's *now*. The arrays sum to the window's
/// counts in a stats body read at the same moment. `pixel` is `null` in a campaign rollup;
/// `value` is in minor units; `seq` is the feed's `seq` when the key was read.
public struct FeedSeries: Sendable, Hashable, Decodable {
    /// The feed's `seq` when the key was read.
    public var seq: UInt64
    /// The aggregator's clock, ms since the Unix epoch.
    public var time: Int64
    public var campaign: String
    /// `nil` for a campaign's rollup.
    public var pixel: String?
    /// The window's name (`1h`…).
    public var window: String
    /// The step length, ms.
    public var step: Int64
    /// The start of the first step, ms since the Unix epoch.
    public var start: Int64
    public var views: [UInt64]
    public var clicks: [UInt64]
    public var conversions: [UInt64]
    /// Conversion value per step, minor units.
    public var value: [UInt64]
    public var bots: [UInt64]

    /// Parses a JSON series body; `nil` when it is not one.
    public init?(json body: [UInt8]) {
        guard let series = try? JSONDecoder().decode(FeedSeries.self, from: Data(body)),
              series.isWellFormed else { return nil }
        self = series
    }

    /// The counts of step `index`, oldest first.
    public subscript(index: Int) -> Counts {
        Counts(views: views[index], clicks: clicks[index], conversions: conversions[index], value: value[index],
               bots: bots[index])
    }

    /// The number of steps.
    public var count: Int { views.count }

    private var isWellFormed: Bool {
        [clicks.count, conversions.count, value.count, bots.count].allSatisfy { $0 == views.count }
    }

    /// Encodes a body.
    public static func encode(seq: UInt64, time: Int64, campaign: CampaignID, pixel: PixelID?, series: WindowSeries) -> [UInt8] {
        var json = JSONWriter(capacity: 256 + 5 * 3 * series.slots.count)
        json.beginObject()
        json.member("type", "series")
        json.member("seq", seq)
        json.member("time", time)
        json.member("campaign", campaign.rawValue)
        json.member("pixel", pixel?.rawValue)
        json.member("window", series.window.name)
        json.member("step", series.step)
        json.member("start", series.start)
        json.member("views", integers: series.slots.lazy.map(\.views))
        json.member("clicks", integers: series.slots.lazy.map(\.clicks))
        json.member("conversions", integers: series.slots.lazy.map(\.conversions))
        json.member("value", integers: series.slots.lazy.map(\.value))
        json.member("bots", integers: series.slots.lazy.map(\.bots))
        json.endObject()
        return json.bytes
    }
}
