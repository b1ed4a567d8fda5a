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
            == "spring-sale/hero: views back to 8.60/s over 5m (baseline 10.02/s)")
        #expect(Self.alert(.silence, .firing, value: 0, baseline: 0.5, threshold: 0).summary
            == "spring-sale/hero: no views in the last 5m (baseline 0.50/s over 1h)")
        #expect(Self.alert(.conversionRateDrop, .firing, value: 0.0412, baseline: 0.1, threshold: 0.05).summary
            == "spring-sale/hero: conversion rate fell to 4.12% over 5m, below 5.00% (baseline 10.00% over 1h)")
    }
}
