/// What one window holds for one key.
public struct Counts: Sendable, Hashable {
    public var views: UInt64 = 0
    public var clicks: UInt64 = 0
    public var conversions: UInt64 = 0
    /// Sum of conversion values, minor units.
    public var value: UInt64 = 0
    /// Hits from robots, counted apart from views, clicks and conversions.
    public var bots: UInt64 = 0
    /// Estimated unique visitors, for keys that count them (campaign rollups); `nil` otherwise.
    public var uniques: UInt64?

    public init(
        views: UInt64 = 0, clicks: UInt64 = 0, conversions: UInt64 = 0, value: UInt64 = 0, bots: UInt64 = 0,
        uniques: UInt64? = nil
    ) {
        self.views = views
        self.clicks = clicks
        self.conversions = conversions
        self.value = value
        self.bots = bots
        self.uniques = uniques
    }

    /// The standard error of ``uniques``, in visitors (see ``UniqueSketch/standardError(of:)``).
    public var uniquesError: UInt64? { uniques.map(UniqueSketch.standardError(of:)) }

    /// Click-through rate, clicks / views; `nil` without views.
    public var ctr: Double? { views == 0 ? nil : Double(clicks) / Double(views) }
    /// Conversion rate, conversions / clicks; `nil` without clicks.
    public var cvr: Double? { clicks == 0 ? nil : Double(conversions) / Double(clicks) }

    /// Whether nothing was counted.
    public var isZero: Bool { views == 0 && clicks == 0 && conversions == 0 && value == 0 && bots == 0 }

    /// The count of `kind`.
    public subscript(kind: EventKind) -> UInt64 {
        get {
            switch kind {
            case .view: views
            case .click: clicks
            case .conversion: conversions
            case .bot: bots
            }
        }
        set {
            switch kind {
            case .view: views = newValue
            case .click: clicks = newValue
            case .conversion: conversions = newValue
            case .bot: bots = newValue
            }
        }
    }
}

extension UInt64 {
    /// `self - other`, or 0 when `other` is larger: the part of a longer window's count
    /// outside a shorter one.
    package func subtractingClamped(_ other: UInt64) -> UInt64 { self > other ? self - other : 0 }
}
