extension Duration {
    /// Whole milliseconds, the fraction cut off (`.towardZero`, the default) or rounded
    /// `.up`; saturates at the bounds of `Int64`.
    public func milliseconds(rounded rule: FloatingPointRoundingRule = .towardZero) -> Int64 {
        let (seconds, attoseconds) = components
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        guard !overflow else { return seconds < 0 ? .min : .max }
        let perMillisecond: Int64 = 1_000_000_000_000_000
        var part = attoseconds / perMillisecond
        if rule == .up, attoseconds % perMillisecond > 0 { part += 1 }
        let (total, overflowed) = whole.addingReportingOverflow(part)
        return overflowed ? .max : total
    }

    /// Nanoseconds, rounded down; saturates at the bounds of `Int64`.
    public var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return seconds < 0 ? .min : .max }
        return whole + attoseconds / 1_000_000_000
    }

    /// Seconds, with their fraction.
    public var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
