/// How a busy key's rings are sized and laid out, and how time maps to their slots.
///
/// Ring *r* keeps window *r*'s buckets (one per step). Events go into the finest ring whose
/// window still covers them; when a bucket leaves window *r*, its counts move into ring
/// *r + 1*'s bucket for the same time (steps nest, so buckets do too). So ring *r* only holds
/// the part of window *r* that window *r − 1* does not: with the standard windows, 60 + 49
/// + 41 + 46 slots instead of 4 × 60. Each window keeps a running total, so a read is O(1),
/// and an event touches one slot and the totals, whatever the number of windows.
///
/// Each ring has five *lanes*, one per counter (views, clicks, conversions, value, bots). A
/// dense key's bytes are: running totals (u64, counter-major: `counter × windows + window`),
/// lane widths (u8: 0, 1, 2, 4 or 8 bytes a slot), lane offsets (u16), then the lanes. A lane
/// starts at width 0 and widens when a slot outgrows it, so a quiet counter (conversions on
/// a view pixel, bots on most) costs nothing and a small one a byte a slot.
///
/// Bots came last, as counter 4: a key of the four-counter layout (checkpoint format 1) is
/// this layout with the bots' totals zero and their lanes of width 0, so its lane bytes are
/// the same.
struct RingGeometry {
    static let counters = 5
    static let valueCounter = 3
    static let botCounter = 4

    /// The counter that counts events of `kind`.
    @inline(__always)
    static func counter(for kind: EventKind) -> Int {
        switch kind {
        case .view: 0
        case .click: 1
        case .conversion: 2
        case .bot: botCounter
        }
    }

    let windowCount: Int
    let laneCount: Int
    /// Steps per window (its slot count as a window).
    let windowSlots: [Int64]
    /// Slots per ring: the buckets window *r* covers beyond window *r − 1*, plus the one
    /// about to leave while a bucket from ring *r − 1* is folded in.
    let ringSlots: [Int]
    /// Window steps in units of the shortest step.
    let stepUnits: [Int64]
    /// The shortest step in ms: the time unit.
    let unit: Int64
    /// After this many idle units every ring is empty.
    let horizonUnits: Int64

    init(_ configuration: WindowConfiguration) {
        let windows = configuration.windows
        windowCount = windows.count
        laneCount = windowCount * Self.counters
        unit = configuration.unit
        windowSlots = windows.map { Int64($0.slots) }
        stepUnits = windows.map { $0.step / configuration.unit }
        ringSlots = windows.indices.map { r in
            guard r > 0 else { return windows[0].slots }
            let extra = windows[r].length - windows[r - 1].length
            return Int((extra + windows[r].step - 1) / windows[r].step) + 1
        }
        horizonUnits = (windows.last!.length + windows.last!.step) / configuration.unit + 1
    }

    /// The lanes a dense key has in a checkpoint of `format`: those of format 1 lack the bots.
    func laneCount(in format: CheckpointFormat) -> Int {
        format == .version1 ? windowCount * Self.botCounter : laneCount  // the counters before the bots
    }

    /// The lane (and running-total index) of `counter` in ring (or window) `ring`.
    @inline(__always) func lane(ring: Int, counter: Int) -> Int { counter * windowCount + ring }
    @inline(__always) func ring(ofLane lane: Int) -> Int { lane % windowCount }

    var totalsOffset: Int { 0 }
    var widthsOffset: Int { laneCount * 8 }
    var offsetsOffset: Int { laneCount * 9 }
    var lanesOffset: Int { laneCount * 11 }

    /// The bytes a dense key needs with these lane widths.
    func byteCount(widths: [UInt8]) -> Int {
        var total = lanesOffset
        for lane in 0..<laneCount { total += Int(widths[lane]) * ringSlots[ring(ofLane: lane)] }
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
