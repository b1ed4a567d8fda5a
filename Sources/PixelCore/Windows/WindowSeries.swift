/// One key's counts in one window, step by step: the history behind the window's total.
///
/// ``slots`` holds one ``Counts`` per step of the window (its 60 steps by default), oldest
/// first, the last being the step that contains ``WindowStore/now``. Their sum is the
/// window's counts (``total``); uniques are not kept per step and stay `nil`.
public struct WindowSeries: Sendable, Hashable {
    /// The window the series covers.
    public var window: WindowSpec
    /// The start of the first step, ms since the Unix epoch.
    public var start: Int64
    /// The counts of each step, oldest first.
    public var slots: [Counts]

    /// Creates a series.
    ///
    /// - Parameters:
    ///   - window: The window the series covers.
    ///   - start: The start of the first step, ms since the Unix epoch.
    ///   - slots: One entry per step of `window`, oldest first.
    public init(window: WindowSpec, start: Int64, slots: [Counts]) {
        self.window = window
        self.start = start
        self.slots = slots
    }

    /// The step length in ms.
    public var step: Int64 { window.step }

    /// The sum of every step: the window's counts, without uniques.
    public var total: Counts {
        slots.reduce(into: Counts()) { sum, slot in
            sum.views &+= slot.views
            sum.clicks &+= slot.clicks
            sum.conversions &+= slot.conversions
            sum.value &+= slot.value
            sum.bots &+= slot.bots
        }
    }
}
