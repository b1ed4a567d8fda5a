/// Where things live inside a key's ``DenseRings`` and how time maps to slots.
///
/// Each window has four *lanes* (views, clicks, conversions, value), one number per slot.
/// A dense key's bytes are laid out as: running totals (u64 per lane), lane offsets
/// (u16 per lane), lane widths (u8 per lane: 0, 1, 2, 4 or 8 bytes), then the lanes.
/// A lane starts at width 0 and widens when a slot outgrows it, so a quiet counter
/// (conversions on a view pixel) costs nothing and a small one costs a byte a slot.
struct RingGeometry {
    static let countersPerWindow = 4
    static let valueCounter = 3

    let windowCount: Int
    let laneCount: Int
    /// Slots per window.
    let slots: [Int]
    /// Window steps in units.
    let stepUnits: [Int64]
    /// The time resolution in ms: the gcd of the steps.
    let unit: Int64

    init(_ configuration: WindowConfiguration) {
        windowCount = configuration.windows.count
        laneCount = windowCount * Self.countersPerWindow
        slots = configuration.windows.map(\.slots)
        stepUnits = configuration.windows.map { $0.step / configuration.unit }
        unit = configuration.unit
    }

    @inline(__always) func window(ofLane lane: Int) -> Int { lane / Self.countersPerWindow }
    @inline(__always) func lane(window: Int, counter: Int) -> Int {
        window * Self.countersPerWindow + counter
    }

    var totalsOffset: Int { 0 }
    var offsetsOffset: Int { laneCount * 8 }
    var widthsOffset: Int { laneCount * 10 }
    var lanesOffset: Int { laneCount * 11 }

    /// The bytes a dense key needs with these lane widths.
    func byteCount(widths: [UInt8]) -> Int {
        var total = lanesOffset
        for lane in 0..<laneCount { total += Int(widths[lane]) * slots[window(ofLane: lane)] }
        return total
    }

    /// The narrowest lane width that holds `value`.
    static func width(toHold value: UInt64) -> UInt8 {
        switch value {
        case 0: 0
        case ...0xFF: 1
        case ...0xFFFF: 2
        case ...0xFFFF_FFFF: 4
        default: 8
        }
    }
}
