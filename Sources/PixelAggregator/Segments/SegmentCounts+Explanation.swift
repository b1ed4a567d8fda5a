import PixelAlerts
import PixelCore

/// Why a campaign's alert fired, read off its segments: the values that fell most, and
/// what its link clicks, conversion pixels and postbacks say together.
///
/// Each segment is expected to keep its share of the campaign: its count over the earlier
/// part of the rule's baseline window, scaled to the rule's window, times the factor by
/// which the rule's own baseline differs from that recent level (1 for a `recent` rule; a
/// seasonal baseline's evening dip lowers every segment's expectation alike). For
/// `cvr-drop`, a segment is expected to convert its clicks in the window at its own earlier
/// rate, times the same factor.
extension SegmentCounts {
    mutating func explain(_ alert: inout Alert, rollup: Int, counts: [Counts], windows: [WindowSpec], age: Int64) {
        guard let window = windows.firstIndex(where: { $0.name == alert.window }),
              let baseline = windows.firstIndex(where: { $0.name == alert.baselineWindow }), alert.baseline > 0
        else { return }
        let length = windows[window].length
        let earlierSpan = min(windows[baseline].length, age) - length
        guard earlierSpan >= length else { return }
        /// Turns a count over the earlier span into one over the window.
        let toWindow = Double(length) / Double(earlierSpan)
        func earlier(_ counts: [Counts], _ pick: (Counts) -> UInt64) -> Double {
            Double(pick(counts[baseline]).subtractingClamped(pick(counts[window])))
        }

        let metric = AlertRule.Metric(rawValue: alert.metric)
        let factor: Double
        if let metric {
            let recentLevel = earlier(counts) { metric.count(in: $0) } * toWindow
            guard recentLevel > 0 else { return }
            factor = alert.baseline * Double(length) / 1000 / recentLevel
        } else {
            let clicks = earlier(counts, \.clicks)
            guard clicks > 0 else { return }
            factor = alert.baseline / (earlier(counts, \.conversions) / clicks)
        }

        var candidates: [Alert.Reason] = []
        var devices: [(segment: String, counts: [Counts])] = []
        for dimension in SegmentDimension.allCases {
            let rows = rows(ofRollup: rollup, dimension: dimension) ?? []
            if dimension == .device { devices = rows }
            for row in rows {
                let recent = row.counts[window]
                if let metric {
                    candidates.append(Alert.Reason(
                        dimension: dimension, segment: row.segment, value: Double(metric.count(in: recent)),
                        expected: earlier(row.counts) { metric.count(in: $0) } * toWindow * factor))
                } else {
                    let clicks = earlier(row.counts, \.clicks)
                    guard clicks > 0 else { continue }
                    let rate = earlier(row.counts, \.conversions) / clicks
                    candidates.append(Alert.Reason(
                        dimension: dimension, segment: row.segment, value: Double(recent.conversions),
                        expected: Double(recent.clicks) * rate * factor))
                }
            }
        }
        alert.reasons = Alert.Reason.select(candidates, campaignRatio: alert.value / alert.baseline)
        alert.diagnosis = Self.diagnosis(devices, window: window, baseline: baseline, scale: toWindow * (metric == nil ? 1 : factor))
    }

    /// The campaign's sources, from its device breakdown (conversions from the `server`
    /// class are the reported ones), each against its earlier level times `scale`.
    private static func diagnosis(
        _ devices: [(segment: String, counts: [Counts])], window: Int, baseline: Int, scale: Double
    ) -> Alert.Diagnosis? {
        typealias Source = Alert.Diagnosis.Source
        var clicks = Source(value: 0, expected: 0)
        var pixels = clicks
        var postbacks = clicks
        for row in devices {
            let (recent, whole) = (row.counts[window], row.counts[baseline])
            func add(_ source: inout Source, _ pick: (Counts) -> UInt64) {
                source.value += Double(pick(recent))
                source.expected += Double(pick(whole).subtractingClamped(pick(recent))) * scale
            }
            add(&clicks, \.clicks)
            if row.segment == DeviceClass.server.description { add(&postbacks, \.conversions) } else { add(&pixels, \.conversions) }
        }
        return Alert.Diagnosis(clicks: clicks, pixelConversions: pixels, postbacks: postbacks)
    }
}
