import Foundation

/// The body of a `heartbeat/` message: the aggregator's liveness and totals, at least once
/// a second.
///
/// ```json
/// {"type":"heartbeat","seq":7,"time":1790000001000,"startedAt":1790000000000,
///  "activeKeys":12,"ingestRate":20480.5,"events":123456,"duplicates":0,"eventIDsRemembered":5120,
///  "eventIDsForgotten":0,"tooLate":0,"tooFarInFuture":0,"batches":480,"duplicateBatches":0,
///  "rejectedBatches":0,"published":6,"unsubscribed":0,"firingAlerts":0,"pixelInterval":250,
///  "feedShare":0.02,"feedBacklog":40}
/// ```
public struct FeedHeartbeat: Sendable, Hashable, Decodable {
    public var seq: UInt64
    public var time: Int64
    /// When the aggregator started; a new value means a new run (a restart).
    public var startedAt: Int64
    /// Keys that hold counts in some window.
    public var activeKeys: Int
    /// Events counted per second since the previous heartbeat.
    public var ingestRate: Double
    /// Events counted since the start.
    public var events: UInt64
    /// Events not counted because their event id was seen before.
    public var duplicates: UInt64
    /// Event ids remembered now, for de-duplication (`nil` from an aggregator that does not
    /// send it).
    public var eventIDsRemembered: Int?
    /// Event ids forgotten before their horizon, to stay within the limit of ids remembered
    /// (`nil` from an aggregator that does not send it).
    public var eventIDsForgotten: UInt64?
    /// Events older than the grace period.
    public var tooLate: UInt64
    /// Events stamped further ahead than the tolerance.
    public var tooFarInFuture: UInt64
    /// Batches counted.
    public var batches: UInt64
    /// Batches not counted because their collector sent the same sequence number before.
    public var duplicateBatches: UInt64
    /// Frames that were not valid batches.
    public var rejectedBatches: UInt64
    /// Feed messages the aggregator's PUB socket accepted before this heartbeat (`nil` from
    /// an aggregator that does not send it): compare with what was received to see losses.
    public var published: UInt64?
    /// Feed messages not sent because no subscriber's prefix matched their topic (`nil`
    /// from an aggregator that does not send it).
    public var unsubscribed: UInt64?
    /// Alerts firing now (`nil` from an aggregator that does not send it).
    public var firingAlerts: Int?
    /// The shortest time between two messages of a pixel key now, ms: the tick, or a
    /// multiple of it while the feed conflates pixel keys (`nil` from an aggregator that
    /// does not send it).
    public var pixelInterval: Int64?
    /// The share of the aggregator's counting thread spent finding and building feed
    /// messages since the previous heartbeat (`nil` from an aggregator that does not send it).
    public var feedShare: Double?
    /// The most feed messages found waiting for the publisher thread at once since the
    /// previous heartbeat (`nil` from an aggregator that does not send it).
    public var feedBacklog: Int?

    public init(
        seq: UInt64, time: Int64, startedAt: Int64, activeKeys: Int, ingestRate: Double, events: UInt64,
        duplicates: UInt64, eventIDsRemembered: Int? = nil, eventIDsForgotten: UInt64? = nil, tooLate: UInt64, tooFarInFuture: UInt64, batches: UInt64, duplicateBatches: UInt64,
        rejectedBatches: UInt64, published: UInt64, unsubscribed: UInt64? = nil, firingAlerts: Int,
        pixelInterval: Int64? = nil, feedShare: Double? = nil, feedBacklog: Int? = nil
    ) {
        self.seq = seq
        self.time = time
        self.startedAt = startedAt
        self.activeKeys = activeKeys
        self.ingestRate = ingestRate
        self.events = events
        self.duplicates = duplicates
        self.eventIDsRemembered = eventIDsRemembered
        self.eventIDsForgotten = eventIDsForgotten
        self.tooLate = tooLate
        self.tooFarInFuture = tooFarInFuture
        self.batches = batches
        self.duplicateBatches = duplicateBatches
        self.rejectedBatches = rejectedBatches
        self.published = published
        self.unsubscribed = unsubscribed
        self.firingAlerts = firingAlerts
        self.pixelInterval = pixelInterval
        self.feedShare = feedShare
        self.feedBacklog = feedBacklog
    }

    /// Parses a JSON heartbeat body; `nil` when it is not one.
    public init?(json body: [UInt8]) {
        guard let heartbeat = try? JSONDecoder().decode(FeedHeartbeat.self, from: Data(body)) else { return nil }
        self = heartbeat
    }

    /// The JSON body.
    public func encoded() -> [UInt8] {
        var json = JSONWriter()
        json.beginObject()
        json.member("type", "heartbeat")
        json.member("seq", seq)
        json.member("time", time)
        json.member("startedAt", startedAt)
        json.member("activeKeys", activeKeys)
        json.member("ingestRate", ingestRate)
        json.member("events", events)
        json.member("duplicates", duplicates)
        json.member("eventIDsRemembered", eventIDsRemembered.map { Int64($0) })
        json.member("eventIDsForgotten", eventIDsForgotten.map { Int64(clamping: $0) })
        json.member("tooLate", tooLate)
        json.member("tooFarInFuture", tooFarInFuture)
        json.member("batches", batches)
        json.member("duplicateBatches", duplicateBatches)
        json.member("rejectedBatches", rejectedBatches)
        json.member("published", published.map { Int64(clamping: $0) })
        json.member("unsubscribed", unsubscribed.map { Int64(clamping: $0) })
        json.member("firingAlerts", firingAlerts.map { Int64($0) })
        json.member("pixelInterval", pixelInterval)
        json.member("feedShare", feedShare)
        json.member("feedBacklog", feedBacklog.map { Int64($0) })
        json.endObject()
        return json.bytes
    }
}
