import Metrics

/// The conversion endpoints' metric handles.
///
/// | metric | labels | meaning |
/// |---|---|---|
/// | `pixelpulse_collector_conversions_total` | `fate` | reported conversions by the fate answered: `accepted`, `duplicate`, `invalid`, `pending`, `failed` |
/// | `pixelpulse_collector_conversions_invalid_total` | `reason` | invalid ones by reason (see ``ConversionRefusal/Reason``) |
/// | `pixelpulse_collector_conversion_requests_refused_total` | `reason` | whole requests refused: `unauthorized`, `no_tokens`, `malformed_json`, `too_many_items`, `body_too_large`, `malformed_query` |
struct ConversionMetrics: Sendable {
    private let fates: [String: Counter]
    private let invalid: [ConversionRefusal.Reason: Counter]
    private let refused: [ConversionRequest.Refusal.Reason: Counter]

    init(factory: any MetricsFactory) {
        let prefix = "pixelpulse_collector_"
        fates = Dictionary(uniqueKeysWithValues: ["accepted", "duplicate", "invalid", "pending", "failed"].map {
            ($0, Counter(label: prefix + "conversions_total", dimensions: [("fate", $0)], factory: factory))
        })
        invalid = Dictionary(uniqueKeysWithValues: ConversionRefusal.Reason.allCases.map {
            ($0, Counter(label: prefix + "conversions_invalid_total", dimensions: [("reason", $0.rawValue)], factory: factory))
        })
        refused = Dictionary(uniqueKeysWithValues: ConversionRequest.Refusal.Reason.allCases.map {
            ($0, Counter(label: prefix + "conversion_requests_refused_total", dimensions: [("reason", $0.rawValue)], factory: factory))
        })
    }

    /// Counts every item of an answered report by fate, and the invalid ones by reason.
    func count(_ report: ConversionReport) {
        for fate in report.fates {
            fates[fate.name]?.increment()
            if case .invalid(let refusal) = fate { invalid[refusal.reason]?.increment() }
        }
    }

    /// Counts a refused request.
    func count(_ refusal: ConversionRequest.Refusal) {
        refused[refusal.reason]?.increment()
    }
}
