import PixelCore

extension FeedAlert {
    /// The alert in one line for people, its figures in ``TextFormat``'s formats:
    /// `spring-sale/hero: views fell to 1.94/s over 5m, below 5.01/s (baseline 10.02/s over 1h)`.
    /// The aggregator's own `summary` when the body lacks a figure.
    var text: String {
        guard let value, let baseline, let threshold else { return summary }
        let subject = pixel.map { "\(campaign)/\($0)" } ?? "\(campaign) (all pixels)"
        let isRatio = unit == "ratio"
        func show(_ number: Double) -> String { isRatio ? TextFormat.percent(number) : TextFormat.rate(number) }
        let measure = isRatio ? "conversion rate" : metric
        guard isFiring else { return "\(subject): \(measure) back to \(show(value)) over \(window) (baseline \(show(baseline)))" }
        let base = "baseline \(show(baseline)) over \(baselineWindow)"
        if kind == "silence" { return "\(subject): no \(metric) in the last \(window) (\(base))" }
        return "\(subject): \(measure) fell to \(show(value)) over \(window), below \(show(threshold)) (\(base))"
    }
}
