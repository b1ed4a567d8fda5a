@testable import PixelAlerts
import PixelCore
import Testing

/// An alert's one line for people prints its figures as `watch`, `top` and `alerts` do:
/// rates and percentages with two decimals.
@Suite struct AlertSummaryTests {
    static func alert(_ kind: AlertRule.Kind, _ status: Alert.Status, value: Double, baseline: Double, threshold: Double) -> Alert {
        Alert(
            status: status, rule: "r", kind: kind, severity: "warning", campaign: "spring-sale", pixel: "hero",
            metric: kind == .conversionRateDrop ? "cvr" : "views", window: "5m", baselineWindow: "1h", value: value,
            baseline: baseline, threshold: threshold, startsAt: 0, endsAt: nil, fingerprint: "f")
    }

    @Test func ratesAndPercentagesHaveTwoDecimals() {
        #expect(Self.alert(.drop, .firing, value: 1.9444, baseline: 10.0166, threshold: 5.0083).summary
            == "spring-sale/hero: views fell to 1.94/s over 5m, below 5.01/s (baseline 10.02/s over 1h)")
        #expect(Self.alert(.drop, .resolved, value: 8.6, baseline: 10.0166, threshold: 5.0083).summary
            == "spring-sale/hero: views back to 8.60/s over 5m (baseline 10.02/s over 1h)")
        #expect(Self.alert(.silence, .firing, value: 0, baseline: 0.5, threshold: 0).summary
            == "spring-sale/hero: no views in the last 5m (baseline 0.50/s over 1h)")
        #expect(Self.alert(.conversionRateDrop, .firing, value: 0.0412, baseline: 0.1, threshold: 0.05).summary
            == "spring-sale/hero: conversion rate fell to 4.12% over 5m, below 5.00% (baseline 10.00% over 1h)")
    }

    /// A campaign's alert names its baseline's source, the segments that fell most and
    /// what its sources say.
    @Test func aCampaignAlertSaysWhy() {
        var alert = Self.alert(.drop, .firing, value: 4, baseline: 10, threshold: 5)
        alert.pixel = nil
        alert.baselineFrom = .yesterday
        alert.reasons = [
            Alert.Reason(dimension: .channel, segment: "facebook", value: 40, expected: 500),
            Alert.Reason(dimension: .country, segment: "DE", value: 0, expected: 120),
        ]
        alert.diagnosis = .trafficSourceDropped
        #expect(alert.summary == "spring-sale (all pixels): views fell to 4.00/s over 5m, below 5.00/s "
            + "(baseline 10.00/s this time yesterday); fell most: channel=facebook −92 %, country=DE −100 %; "
            + "traffic source dropped (clicks and conversions fell together)")
        alert.baselineFrom = .seasonal
        alert.reasons = []
        alert.diagnosis = nil
        #expect(alert.summary == "spring-sale (all pixels): views fell to 4.00/s over 5m, below 5.00/s (seasonal baseline 10.00/s)")
    }

    /// Only segments that fell further than the campaign stand out, largest loss first; a
    /// fall every segment shares has no reason.
    @Test func reasonsAreTheSegmentsThatFellFurtherThanTheCampaign() {
        let facebook = Alert.Reason(dimension: .channel, segment: "facebook", value: 5, expected: 100)
        let google = Alert.Reason(dimension: .channel, segment: "google", value: 95, expected: 100)
        let germany = Alert.Reason(dimension: .country, segment: "DE", value: 0, expected: 30)
        let tiny = Alert.Reason(dimension: .referrer, segment: "example.com", value: 0, expected: 0.5)
        // The campaign kept 50 %: facebook (5 %) and DE (0 %) fell further; google did not; tiny is noise.
        #expect(Alert.Reason.select([google, germany, tiny, facebook], campaignRatio: 0.5) == [facebook, germany])
        let even = [40, 41, 39].map { Alert.Reason(dimension: .device, segment: "d\($0)", value: Double($0), expected: 100) }
        #expect(Alert.Reason.select(even, campaignRatio: 0.4).isEmpty)
        let many = (0..<9).map { Alert.Reason(dimension: .referrer, segment: "r\($0)", value: 0, expected: Double(10 + $0)) }
        #expect(Alert.Reason.select(many, campaignRatio: 1).map(\.segment) == ["r8", "r7", "r6", "r5", "r4"])
    }

    /// Each diagnosis from its pattern of sources; none when they agree on nothing or say too little.
    @Test func eachDiagnosisFromItsSources() {
        typealias Source = Alert.Diagnosis.Source
        let steady = Source(value: 95, expected: 100)
        let fallen = Source(value: 10, expected: 100)
        let absent = Source(value: 0, expected: 1)
        let half = Source(value: 60, expected: 100)
        #expect(Alert.Diagnosis(clicks: steady, pixelConversions: fallen, postbacks: steady) == .conversionTagBroken)
        #expect(Alert.Diagnosis(clicks: steady, pixelConversions: fallen, postbacks: absent) == .conversionTagBroken)
        #expect(Alert.Diagnosis(clicks: half, pixelConversions: steady, postbacks: fallen) == .postbackBroken)
        #expect(Alert.Diagnosis(clicks: steady, pixelConversions: absent, postbacks: fallen) == .postbackBroken)
        #expect(Alert.Diagnosis(clicks: fallen, pixelConversions: fallen, postbacks: fallen) == .trafficSourceDropped)
        #expect(Alert.Diagnosis(clicks: fallen, pixelConversions: absent, postbacks: fallen) == .trafficSourceDropped)
        #expect(Alert.Diagnosis(clicks: fallen, pixelConversions: absent, postbacks: absent) == nil)  // one source says too little
        #expect(Alert.Diagnosis(clicks: half, pixelConversions: half, postbacks: half) == nil)
        #expect(Alert.Diagnosis(clicks: fallen, pixelConversions: steady, postbacks: absent) == nil)
    }
}
