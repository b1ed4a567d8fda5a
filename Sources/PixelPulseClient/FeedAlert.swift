import Foundation

/// The parsed body of an `alerts/…` message, live or from a snapshot.
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
    /// The JSON body as published.
    public private(set) var body: [UInt8] = []

    public var isFiring: Bool { status == "firing" }

    private enum CodingKeys: String, CodingKey {
        case seq, time, status, rule, kind, severity, campaign, pixel, metric, window, baselineWindow, unit, value, baseline,
             threshold, startsAt, endsAt, fingerprint, summary
    }

    /// Parses a JSON alert body; `nil` when it is not one.
    public init?(json body: [UInt8]) {
        guard var alert = try? JSONDecoder().decode(FeedAlert.self, from: Data(body)) else { return nil }
        alert.body = body
        self = alert
    }
}
