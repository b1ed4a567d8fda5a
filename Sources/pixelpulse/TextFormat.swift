import Foundation

/// How figures print for people in `watch`, `alerts` and `top`: one format for each kind
/// of number, wherever it shows.
enum TextFormat {
    /// A rate per second, always with two decimals: `22.22/s`, `0.00/s`.
    static func rate(_ perSecond: Double) -> String { String(format: "%.2f/s", perSecond) }

    /// A ratio as a percentage with two decimals (`4.12%`), or `–` when it is undefined.
    static func percent(_ ratio: Double?) -> String {
        guard let ratio else { return "–" }
        return String(format: "%.2f%%", ratio * 100)
    }

    /// A conversion value in currency units: minor units ÷ 100, two decimals (`219.96`).
    static func money(_ minor: UInt64) -> String {
        "\(minor / 100).\(String(format: "%02d", Int(minor % 100)))"
    }

    /// A time in ISO 8601 UTC to the second: `2026-11-29T09:14:03Z`.
    static func time(_ milliseconds: Int64) -> String {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000).formatted(.iso8601)
    }

    /// The time of day `09:14:03Z` when `milliseconds` falls on the same UTC day as `now`,
    /// the full ISO 8601 time otherwise: for table cells.
    static func shortTime(_ milliseconds: Int64, now: Int64) -> String {
        let full = time(milliseconds)
        return full.prefix(10) == time(now).prefix(10) ? String(full.dropFirst(11)) : full
    }
}
