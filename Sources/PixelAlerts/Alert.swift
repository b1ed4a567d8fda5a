import Foundation
public import PixelCore

/// An alert firing or resolving: what the feed publishes under `alerts/…` and the webhook
/// delivers.
public struct Alert: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable {
        case firing, resolved
    }

    public var status: Status
    public var rule: String
    public var kind: AlertRule.Kind
    public var severity: String
    public var campaign: CampaignID
    /// `nil` for the campaign's rollup.
    public var pixel: PixelID?
    /// `views`, `clicks`, `conversions`, `events` or, for `cvr-drop`, `cvr`.
    public var metric: String
    /// The window the value is measured over, and the one the baseline comes from.
    public var window: String
    public var baselineWindow: String
    /// Where the baseline came from: the recent level, or the campaign's hourly history.
    public var baselineFrom: AlertRule.BaselineSource
    /// The measure when the alert fired or resolved: events per second, or a ratio for `cvr`.
    public var value: Double
    /// The frozen baseline, in the same unit.
    public var baseline: Double
    /// The firing threshold, `below` × baseline (0 for `silence`).
    public var threshold: Double
    /// When the condition began to hold, ms since the Unix epoch.
    public var startsAt: Int64
    /// When the alert resolved; `nil` while firing.
    public var endsAt: Int64?
    /// Stable identity of the incident's subject: the same rule on the same key always has
    /// the same fingerprint, across restarts and rule reloads.
    public var fingerprint: String
    /// A firing campaign alert's segments that fell most (see ``Reason/select(_:campaignRatio:)``);
    /// empty for pixels and resolutions.
    public var reasons: [Reason] = []
    /// A firing campaign alert's reading of its clicks, conversion pixels and postbacks.
    public var diagnosis: Diagnosis?

    public init(
        status: Status, rule: String, kind: AlertRule.Kind, severity: String, campaign: CampaignID, pixel: PixelID?,
        metric: String, window: String, baselineWindow: String, baselineFrom: AlertRule.BaselineSource = .recent,
        value: Double, baseline: Double, threshold: Double, startsAt: Int64, endsAt: Int64?, fingerprint: String,
        reasons: [Reason] = [], diagnosis: Diagnosis? = nil
    ) {
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
        self.value = value
        self.baseline = baseline
        self.threshold = threshold
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.fingerprint = fingerprint
        self.reasons = reasons
        self.diagnosis = diagnosis
    }

    /// The feed topic, `alerts/<campaign>/<pixel or *>/`.
    public var topic: String { FeedTopic.alerts(campaign: campaign, pixel: pixel) }

    /// The unit of ``value``, ``baseline`` and ``threshold``.
    public var unit: String { kind == .conversionRateDrop ? "ratio" : "per_second" }

    /// The key in words: `spring-sale/hero`, or `spring-sale (all pixels)`.
    public var subject: String { pixel.map { "\(campaign.rawValue)/\($0.rawValue)" } ?? "\(campaign.rawValue) (all pixels)" }

    /// One line for people: what happened, measured against what.
    public var summary: String {
        // Two decimals everywhere, as `watch`, `top` and `alerts` print figures.
        func show(_ number: Double) -> String {
            kind == .conversionRateDrop ? String(format: "%.2f%%", number * 100) : String(format: "%.2f/s", number)
        }
        let measure = kind == .conversionRateDrop ? "conversion rate" : metric
        let against = switch baselineFrom {
        case .recent: "baseline \(show(baseline)) over \(baselineWindow)"
        case .yesterday: "baseline \(show(baseline)) this time yesterday"
        case .lastWeek: "baseline \(show(baseline)) this time last week"
        case .seasonal: "seasonal baseline \(show(baseline))"
        }
        var explanation = reasons.isEmpty ? "" : "; fell most: " + reasons.map(\.description).joined(separator: ", ")
        if let diagnosis { explanation += "; \(diagnosis.sentence)" }
        switch (status, kind) {
        case (.firing, .silence):
            return "\(subject): no \(metric) in the last \(window) (\(against))" + explanation
        case (.firing, _):
            return "\(subject): \(measure) fell to \(show(value)) over \(window), below \(show(threshold)) (\(against))"
                + explanation
        case (.resolved, _):
            return "\(subject): \(measure) back to \(show(value)) over \(window) (\(against))"
        }
    }

    /// The fingerprint of `rule` on a key: FNV-1a 64 over the rule name, campaign and pixel.
    static func fingerprint(rule: String, campaign: CampaignID, pixel: PixelID?) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for part in [rule, campaign.rawValue, pixel?.rawValue ?? FeedTopic.rollupMarker] {
            for byte in part.utf8 + [0] {
                hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
            }
        }
        return EventID(rawValue: hash).description  // the same 16 hex digits
    }

    /// The feed message for this alert, stamped `seq` at clock `time` (its body is a
    /// ``PixelCore/FeedAlert``).
    public func message(seq: UInt64, time: Int64) -> FeedMessage {
        let body = FeedAlert(
            seq: seq, time: time, status: status.rawValue, rule: rule, kind: kind.rawValue, severity: severity,
            campaign: campaign.rawValue, pixel: pixel?.rawValue, metric: metric, window: window,
            baselineWindow: baselineWindow, baselineFrom: baselineFrom.rawValue, unit: unit, value: Self.rounded(value),
            baseline: Self.rounded(baseline), threshold: Self.rounded(threshold), startsAt: startsAt, endsAt: endsAt,
            fingerprint: fingerprint, summary: summary,
            reasons: reasons.map {
                FeedAlert.Reason(dimension: $0.dimension.name, segment: $0.segment, value: Self.rounded($0.value),
                                 expected: Self.rounded($0.expected), change: Self.rounded($0.change, digits: 4))
            },
            diagnosis: diagnosis?.rawValue)
        return FeedMessage(topic: topic, body: body.body)
    }

    /// Six decimals are plenty for a rate and keep the JSON readable.
    private static func rounded(_ value: Double, digits: Int = 6) -> Double {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        return (value * scale).rounded() / scale
    }
}

// MARK: - Checkpoints

extension Alert {
    package func encode(into writer: inout ByteWriter) {
        for text in [status.rawValue, rule, kind.rawValue, severity, campaign.rawValue, pixel?.rawValue ?? "",
                     metric, window, baselineWindow, fingerprint] {
            writer.write(string: text)
        }
        for number in [value, baseline, threshold] { writer.write(number.bitPattern) }
        writer.write(startsAt)
        writer.write(endsAt ?? .min)
        writer.write(string: baselineFrom.rawValue)
        writer.write(string: diagnosis?.rawValue ?? "")
        writer.write(UInt32(reasons.count))
        for reason in reasons {
            writer.write(reason.dimension.rawValue)
            writer.write(string: reason.segment)
            writer.write(reason.value.bitPattern)
            writer.write(reason.expected.bitPattern)
        }
    }

    /// Reads an alert written by ``encode(into:)``, or by an earlier release (`format` 3
    /// and before: a recent baseline, no reasons).
    package init(decoding reader: inout ByteReader, format: CheckpointFormat) throws(WireError) {
        var texts: [String] = []
        for _ in 0..<10 { texts.append(try reader.readString("alert")) }
        guard let status = Status(rawValue: texts[0]), let kind = AlertRule.Kind(rawValue: texts[2]) else {
            throw .truncated(field: "alert status or kind")
        }
        let value = Double(bitPattern: try reader.read(UInt64.self, "alert value"))
        let baseline = Double(bitPattern: try reader.read(UInt64.self, "alert baseline"))
        let threshold = Double(bitPattern: try reader.read(UInt64.self, "alert threshold"))
        let startsAt = try reader.read(Int64.self, "alert start")
        let endsAt = try reader.read(Int64.self, "alert end")
        self.init(
            status: status, rule: texts[1], kind: kind, severity: texts[3], campaign: CampaignID(unchecked: texts[4]),
            pixel: texts[5].isEmpty ? nil : PixelID(unchecked: texts[5]), metric: texts[6], window: texts[7],
            baselineWindow: texts[8], value: value, baseline: baseline, threshold: threshold, startsAt: startsAt,
            endsAt: endsAt == .min ? nil : endsAt, fingerprint: texts[9])
        guard format.rawValue >= CheckpointFormat.version4.rawValue else { return }
        let source = try reader.readString("alert baseline source")
        let diagnosis = try reader.readString("alert diagnosis")
        guard let baselineFrom = AlertRule.BaselineSource(rawValue: source),
              diagnosis.isEmpty || Diagnosis(rawValue: diagnosis) != nil else { throw .truncated(field: "alert baseline source or diagnosis") }
        self.baselineFrom = baselineFrom
        self.diagnosis = Diagnosis(rawValue: diagnosis)
        let count = Int(try reader.read(UInt32.self, "alert reason count"))
        guard count <= Reason.limit else { throw .countOutOfRange(field: "alert reasons", count: count) }
        for _ in 0..<count {
            guard let dimension = SegmentDimension(rawValue: try reader.read(UInt8.self, "reason dimension")) else {
                throw .truncated(field: "reason dimension")
            }
            let segment = try reader.readString("reason segment")
            let value = Double(bitPattern: try reader.read(UInt64.self, "reason value"))
            let expected = Double(bitPattern: try reader.read(UInt64.self, "reason expectation"))
            reasons.append(Reason(dimension: dimension, segment: segment, value: value, expected: expected))
        }
    }
}
