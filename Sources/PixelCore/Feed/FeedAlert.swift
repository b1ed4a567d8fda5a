import Foundation

/// The body of an `alerts/…` message, live or from a snapshot: an alert firing or
/// resolving.
///
/// ```json
/// {"type":"alert","seq":812,"time":1790000420000,"status":"firing","rule":"traffic-drop",
///  "kind":"drop","severity":"warning","campaign":"spring-sale","pixel":"hero",
///  "metric":"views","window":"5m","baselineWindow":"1h","unit":"per_second",
///  "value":0.2,"baseline":1.0,"threshold":0.5,"startsAt":1790000300000,"endsAt":null,
///  "baselineFrom":"recent","fingerprint":"6c1b9f3e2a0d4c57",
///  "summary":"spring-sale/hero: views fell to 0.20/s over 5m, below 0.50/s (baseline 1.00/s over 1h)",
///  "reasons":[],"diagnosis":null}
/// ```
public struct FeedAlert: Sendable, Hashable, Decodable {
    public var seq: UInt64
    /// The aggregator's clock when the alert fired or resolved, ms since the Unix epoch.
    public var time: Int64
    /// `firing` or `resolved`.
    public var status: String
    public var rule: String
    /// `drop`, `silence` or `cvr-drop`.
    public var kind: String
    public var severity: String
    public var campaign: String
    /// `nil` for a campaign's rollup.
    public var pixel: String?
    public var metric: String
    public var window: String
    public var baselineWindow: String
    /// `recent`, `yesterday`, `last-week` or `seasonal` (`nil` from earlier releases).
    public var baselineFrom: String?
    /// `per_second` or `ratio`.
    public var unit: String
    public var value: Double?
    public var baseline: Double?
    public var threshold: Double?
    public var startsAt: Int64
    public var endsAt: Int64?
    /// The same for every alert of one rule on one key.
    public var fingerprint: String
    /// One line for people.
    public var summary: String
    /// The segments of a firing campaign alert that fell most (empty otherwise).
    public var reasons: [Reason]?
    /// `conversion-tag-broken`, `postback-broken` or `traffic-source-dropped`, when a
    /// firing campaign alert's sources say so.
    public var diagnosis: String?
    /// A segment that fell: `value` over the window against `expected` of it, `change`
    /// = value / expected − 1.
    public struct Reason: Sendable, Hashable, Decodable {
        public var dimension: String
        public var segment: String
        public var value: Double
        public var expected: Double
        public var change: Double

        public init(dimension: String, segment: String, value: Double, expected: Double, change: Double) {
            self.dimension = dimension
            self.segment = segment
            self.value = value
            self.expected = expected
            self.change = change
        }
    }
    /// The JSON body as published.
    public private(set) var body: [UInt8] = []

    public var isFiring: Bool { status == "firing" }

    private enum CodingKeys: String, CodingKey {
        case seq, time, status, rule, kind, severity, campaign, pixel, metric, window, baselineWindow, baselineFrom, unit, value,
             baseline, threshold, startsAt, endsAt, fingerprint, summary, reasons, diagnosis
    }

    public init(
        seq: UInt64, time: Int64, status: String, rule: String, kind: String, severity: String, campaign: String,
        pixel: String?, metric: String, window: String, baselineWindow: String, baselineFrom: String? = "recent",
        unit: String, value: Double?, baseline: Double?, threshold: Double?, startsAt: Int64, endsAt: Int64?,
        fingerprint: String, summary: String, reasons: [Reason]? = [], diagnosis: String? = nil
    ) {
        self.seq = seq
        self.time = time
        self.status = status
        self.rule = rule
        self.kind = kind
        self.severity = severity
        self.campaign = campaign
        self.pixel = pixel
        self.metric = metric
        self.window = window
        self.baselineWindow = baselineWindow
        self.baselineFrom = baselineFrom
        self.unit = unit
        self.value = value
        self.baseline = baseline
        self.threshold = threshold
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.fingerprint = fingerprint
        self.summary = summary
        self.reasons = reasons
        self.diagnosis = diagnosis
        body = encoded()
    }

    /// The JSON body, as published.
    public func encoded() -> [UInt8] {
        var json = JSONWriter(capacity: 400)
        json.beginObject()
        json.member("type", "alert")
        json.member("seq", seq)
        json.member("time", time)
        json.member("status", status)
        json.member("rule", rule)
        json.member("kind", kind)
        json.member("severity", severity)
        json.member("campaign", campaign)
        json.member("pixel", pixel)
        json.member("metric", metric)
        json.member("window", window)
        json.member("baselineWindow", baselineWindow)
        json.member("baselineFrom", baselineFrom)
        json.member("unit", unit)
        json.member("value", value)
        json.member("baseline", baseline)
        json.member("threshold", threshold)
        json.member("startsAt", startsAt)
        json.member("endsAt", endsAt)
        json.member("fingerprint", fingerprint)
        json.member("summary", summary)
        json.beginArray("reasons")
        for reason in reasons ?? [] {
            json.beginObject()
            json.member("dimension", reason.dimension)
            json.member("segment", reason.segment)
            json.member("value", reason.value)
            json.member("expected", reason.expected)
            json.member("change", reason.change)
            json.endObject()
        }
        json.endArray()
        json.member("diagnosis", diagnosis)
        json.endObject()
        return json.bytes
    }

    /// Parses a JSON alert body; `nil` when it is not one.
    public init?(json body: [UInt8]) {
        guard var alert = try? JSONDecoder().decode(FeedAlert.self, from: Data(body)) else { return nil }
        alert.body = body
        self = alert
    }
}
