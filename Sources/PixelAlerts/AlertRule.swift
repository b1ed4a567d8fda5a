public import PixelCore

/// One alert rule: a condition on a key's windows, which keys it watches, and how an
/// incident starts and ends.
///
/// Every rule compares a **value** measured over `window` with a **baseline**: the same
/// measure over the rest of the longer `baseline` window — the period just before `window`
/// — or over as much of it as the key has existed. The baseline is frozen when the
/// condition starts to hold, so a fall does not drag its own yardstick down.
///
/// | kind      | value (over `window`)          | fires while                          | resolves once                  |
/// |-----------|--------------------------------|--------------------------------------|--------------------------------|
/// | `drop`    | `metric` per second            | value < `below` × baseline           | value ≥ `recover` × baseline   |
/// | `silence` | `metric` per second            | value = 0 (nothing at all)           | value ≥ `recover` × baseline   |
/// | `cvr-drop`| conversions / clicks           | value < `below` × baseline           | value ≥ `recover` × baseline   |
///
/// `baselineFrom` takes the baseline from the campaign's hourly history instead (see
/// ``BaselineSource``): the same measure at the same time yesterday, or last week, or the
/// median of those two and the recent level, so a fall that happens every evening is not
/// an incident and one that does not is. The history is kept per campaign, so these rules
/// watch campaigns' rollups.
///
/// A condition starts an incident only while the baseline predicts at least `minVolume`
/// in `window` (events for `drop` and `silence`, conversions for `cvr-drop`, i.e. clicks in
/// the window × the baseline rate): below that, a fall is indistinguishable from noise.
/// It must then hold for `for` before the alert fires; a firing alert resolves once the
/// recovery has held for `cooldown`, so a pixel that comes back briefly and fails again
/// stays one incident, one alert.
public struct AlertRule: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case drop
        case silence
        case conversionRateDrop = "cvr-drop"
    }

    /// What `drop` and `silence` measure; `events` is views + clicks + conversions.
    public enum Metric: String, Sendable, Hashable, CaseIterable {
        case views, clicks, conversions, events

        /// The metric's count in `counts`.
        public func count(in counts: Counts) -> UInt64 {
            switch self {
            case .views: counts.views
            case .clicks: counts.clicks
            case .conversions: counts.conversions
            case .events: counts.views + counts.clicks + counts.conversions
            }
        }

        /// The metric's expected count in `counts`.
        func count(in counts: PastCounts) -> Double {
            switch self {
            case .views: counts.views
            case .clicks: counts.clicks
            case .conversions: counts.conversions
            case .events: counts.views + counts.clicks + counts.conversions
            }
        }
    }

    /// Where a rule's baseline comes from.
    public enum BaselineSource: String, Sendable, Hashable, CaseIterable {
        /// The earlier part of the `baseline` window: the last hour before the window.
        case recent
        /// The same span of time 24 hours ago.
        case yesterday
        /// The same span of time 7 days ago.
        case lastWeek = "last-week"
        /// The median of yesterday, last week and the recent level; while only two of them
        /// are known (the campaign's first week), the lower; while one, that one.
        case seasonal
    }

    /// Which keys of the matching campaigns a rule watches.
    public enum Scope: String, Sendable, Hashable, CaseIterable {
        /// Each pixel on its own.
        case pixels
        /// Each campaign's rollup (all its pixels together).
        case campaigns
        /// Both.
        case all
    }

    /// Unique among the rules; part of every alert's identity.
    public var name: String
    public var kind: Kind
    /// `nil`: every campaign.
    public var campaign: CampaignID?
    /// `nil`: every pixel (of the matching campaigns).
    public var pixel: PixelID?
    public var scope: Scope
    /// Ignored by `cvr-drop`, which always measures conversions / clicks.
    public var metric: Metric
    /// The window the value is measured over.
    public var window: WindowSpec
    /// The longer window whose earlier part gives the baseline (the recent level).
    public var baseline: WindowSpec
    /// `recent`, or a seasonal baseline from the campaign's hourly history.
    public var baselineFrom: BaselineSource
    /// Fires below this fraction of the baseline (`silence`: fires at zero).
    public var below: Double
    /// Resolves at or above this fraction of the baseline; above `below`, so a value
    /// wobbling around the threshold does not flap.
    public var recover: Double
    /// The least the baseline must predict in `window` for an incident to start.
    public var minVolume: Double
    /// How long the condition must hold before the alert fires, ms.
    public var holdFor: Int64
    /// How long recovery must hold before the alert resolves, ms.
    public var cooldown: Int64
    /// Passed on as a label (`warning`, `critical`, …).
    public var severity: String

    public init(
        name: String, kind: Kind, campaign: CampaignID? = nil, pixel: PixelID? = nil, scope: Scope = .all,
        metric: Metric = .views, window: WindowSpec, baseline: WindowSpec, baselineFrom: BaselineSource = .recent,
        below: Double = 0.5, recover: Double = 0.8, minVolume: Double = 20, holdFor: Int64 = 120_000, cooldown: Int64 = 300_000, severity: String = "warning"
    ) {
        self.name = name
        self.kind = kind
        self.campaign = campaign
        self.pixel = pixel
        self.scope = scope
        self.metric = metric
        self.window = window
        self.baseline = baseline
        self.baselineFrom = baselineFrom
        self.below = kind == .silence ? 0 : below
        self.recover = recover
        self.minVolume = minVolume
        self.holdFor = holdFor
        self.cooldown = cooldown
        self.severity = severity
    }

    /// Whether the rule watches the key of `pixel` (`nil`: the rollup) in `campaign`.
    func watches(campaign: CampaignID, pixel: PixelID?) -> Bool {
        if let wanted = self.campaign, wanted != campaign { return false }
        guard let pixel else { return scope != .pixels && self.pixel == nil }
        if let wanted = self.pixel, wanted != pixel { return false }
        return scope != .campaigns
    }

    /// The rules that apply when no rule file is given, over the configured windows: a
    /// traffic drop and a silence over the second-shortest window against the longest,
    /// and a conversion-rate drop over the third-shortest. With the standard windows:
    /// 5m against 1h, and 15m against 1h. None with a single window.
    public static func defaults(for configuration: WindowConfiguration) -> [AlertRule] {
        let windows = configuration.windows
        guard windows.count >= 2, let longest = windows.last else { return [] }
        let short = windows[min(1, windows.count - 2)]
        let medium = windows[min(2, windows.count - 2)]
        return [
            AlertRule(name: "traffic-drop", kind: .drop, metric: .views, window: short, baseline: longest,
                      below: 0.5, recover: 0.8, minVolume: 20, holdFor: short.length / 2, cooldown: short.length),
            AlertRule(name: "pixel-silent", kind: .silence, metric: .events, window: short, baseline: longest,
                      recover: 0.5, minVolume: 10, holdFor: 0, cooldown: short.length / 2, severity: "critical"),
            AlertRule(name: "conversion-rate-drop", kind: .conversionRateDrop, scope: .campaigns, window: medium,
                      baseline: longest, below: 0.5, recover: 0.8, minVolume: 10, holdFor: medium.length / 3,
                      cooldown: medium.length),
        ]
    }
}
