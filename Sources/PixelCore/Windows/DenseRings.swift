/// The ring buffers of one busy key: every window's slots and running totals, in one
/// allocation laid out by ``RingGeometry``.
///
/// The header holds the unit the rings were last advanced to. Widening a lane makes a new
/// buffer (``widened(lane:toHold:_:)``); everything else mutates in place.
final class DenseRings: ManagedBuffer<Int64, UInt8> {
    static func make(widths: [UInt8], headUnit: Int64, _ g: RingGeometry) -> DenseRings {
        let byteCount = g.byteCount(widths: widths)
        let rings = unsafeDowncast(
            create(minimumCapacity: byteCount) { _ in headUnit }, to: DenseRings.self)
        rings.withUnsafeMutablePointerToElements { base in
            let raw = UnsafeMutableRawPointer(base)
            raw.initializeMemory(as: UInt8.self, repeating: 0, count: byteCount)
            var offset = g.lanesOffset
            for lane in 0..<g.laneCount {
                raw.storeBytes(of: UInt16(offset), toByteOffset: g.offsetsOffset + lane * 2, as: UInt16.self)
                raw.storeBytes(of: widths[lane], toByteOffset: g.widthsOffset + lane, as: UInt8.self)
                offset += Int(widths[lane]) * g.slots[g.window(ofLane: lane)]
            }
        }
        return rings
    }

    /// The unit the rings are advanced to.
    /// (Through the header pointer: the `header` property would cost a runtime exclusivity check.)
    var headUnit: Int64 {
        get { withUnsafeMutablePointerToHeader { $0.pointee } }
        set { withUnsafeMutablePointerToHeader { $0.pointee = newValue } }
    }

    @inline(__always)
    private func withBytes<R>(_ body: (UnsafeMutableRawPointer) -> R) -> R {
        withUnsafeMutablePointerToElements { body(UnsafeMutableRawPointer($0)) }
    }

    @inline(__always)
    func total(lane: Int) -> UInt64 {
        withBytes { $0.loadUnaligned(fromByteOffset: lane * 8, as: UInt64.self) }
    }

    func widths(_ g: RingGeometry) -> [UInt8] {
        withBytes { raw in (0..<g.laneCount).map { raw.load(fromByteOffset: g.widthsOffset + $0, as: UInt8.self) } }
    }

    /// Adds `amount` to a slot and the lane's running total.
    ///
    /// - Returns: `false`, changing nothing, when the slot's new value needs a wider lane.
    @inline(__always)
    func add(_ amount: UInt64, lane: Int, slot: Int, _ g: RingGeometry) -> Bool {
        withBytes { raw in
            let width = Int(raw.load(fromByteOffset: g.widthsOffset + lane, as: UInt8.self))
            let at = Int(raw.loadUnaligned(fromByteOffset: g.offsetsOffset + lane * 2, as: UInt16.self))
                + slot * width
            switch width {
            case 1:
                let new = UInt64(raw.load(fromByteOffset: at, as: UInt8.self)) + amount
                guard new <= 0xFF else { return false }
                raw.storeBytes(of: UInt8(truncatingIfNeeded: new), toByteOffset: at, as: UInt8.self)
            case 2:
                let new = UInt64(raw.loadUnaligned(fromByteOffset: at, as: UInt16.self)) + amount
                guard new <= 0xFFFF else { return false }
                raw.storeBytes(of: UInt16(truncatingIfNeeded: new), toByteOffset: at, as: UInt16.self)
            case 4:
                let new = UInt64(raw.loadUnaligned(fromByteOffset: at, as: UInt32.self)) + amount
                guard new <= 0xFFFF_FFFF else { return false }
                raw.storeBytes(of: UInt32(truncatingIfNeeded: new), toByteOffset: at, as: UInt32.self)
            case 8:
                // Wrapping keeps totals exact modulo 2⁶⁴; values are capped far below that.
                let new = raw.loadUnaligned(fromByteOffset: at, as: UInt64.self) &+ amount
                raw.storeBytes(of: new, toByteOffset: at, as: UInt64.self)
            default:
                return false
            }
            let total = raw.loadUnaligned(fromByteOffset: lane * 8, as: UInt64.self)
            raw.storeBytes(of: total &+ amount, toByteOffset: lane * 8, as: UInt64.self)
            return true
        }
    }

    /// Moves every window's ring from ``headUnit`` to `unit`, subtracting what leaves.
    ///
    /// - Returns: whether every total is now zero (the key holds nothing).
    func advance(to unit: Int64, _ g: RingGeometry) -> Bool {
        let from = headUnit
        headUnit = unit
        return withBytes { raw in
            var anyLeft = false
            for window in 0..<g.windowCount {
                let oldStep = from / g.stepUnits[window]
                let newStep = unit / g.stepUnits[window]
                let slots = g.slots[window]
                let cleared = Int(min(newStep - oldStep, Int64(slots)))
                for counter in 0..<RingGeometry.countersPerWindow {
                    let lane = g.lane(window: window, counter: counter)
                    let width = Int(raw.load(fromByteOffset: g.widthsOffset + lane, as: UInt8.self))
                    guard width > 0 else { continue }
                    let start = Int(raw.loadUnaligned(fromByteOffset: g.offsetsOffset + lane * 2, as: UInt16.self))
                    var total = raw.loadUnaligned(fromByteOffset: lane * 8, as: UInt64.self)
                    if cleared == slots {
                        total = 0
                        (raw + start).initializeMemory(as: UInt8.self, repeating: 0, count: width * slots)
                    } else {
                        var step = oldStep + 1
                        while step <= newStep {
                            let at = start + Int(step % Int64(slots)) * width
                            total &-= Self.load(raw + at, width: width)
                            (raw + at).initializeMemory(as: UInt8.self, repeating: 0, count: width)
                            step += 1
                        }
                    }
                    raw.storeBytes(of: total, toByteOffset: lane * 8, as: UInt64.self)
                    anyLeft = anyLeft || total != 0
                }
            }
            return !anyLeft
        }
    }

    /// A copy with `lane` wide enough to hold `value` in any slot.
    func widened(lane: Int, toHold value: UInt64, _ g: RingGeometry) -> DenseRings {
        let oldWidths = widths(g)
        var newWidths = oldWidths
        newWidths[lane] = max(RingGeometry.width(toHold: value), oldWidths[lane] == 0 ? 1 : oldWidths[lane] * 2)
        let wider = DenseRings.make(widths: newWidths, headUnit: headUnit, g)
        withBytes { from in
            wider.withBytes { to in
                to.copyMemory(from: from, byteCount: g.laneCount * 8)  // totals
                for lane in 0..<g.laneCount where oldWidths[lane] > 0 {
                    let fromStart = Int(from.loadUnaligned(fromByteOffset: g.offsetsOffset + lane * 2, as: UInt16.self))
                    let toStart = Int(to.loadUnaligned(fromByteOffset: g.offsetsOffset + lane * 2, as: UInt16.self))
                    for slot in 0..<g.slots[g.window(ofLane: lane)] {
                        let value = Self.load(from + fromStart + slot * Int(oldWidths[lane]), width: Int(oldWidths[lane]))
                        Self.store(value, to + toStart + slot * Int(newWidths[lane]), width: Int(newWidths[lane]))
                    }
                }
            }
        }
        return wider
    }

    /// The bytes this key's rings occupy.
    var byteCount: Int { capacity + MemoryLayout<Int64>.size + 16 }

    @inline(__always)
    private static func load(_ at: UnsafeMutableRawPointer, width: Int) -> UInt64 {
        switch width {
        case 1: UInt64(at.load(as: UInt8.self))
        case 2: UInt64(at.loadUnaligned(as: UInt16.self))
        case 4: UInt64(at.loadUnaligned(as: UInt32.self))
        default: at.loadUnaligned(as: UInt64.self)
        }
    }

    @inline(__always)
    private static func store(_ value: UInt64, _ at: UnsafeMutableRawPointer, width: Int) {
        switch width {
        case 1: at.storeBytes(of: UInt8(truncatingIfNeeded: value), as: UInt8.self)
        case 2: at.storeBytes(of: UInt16(truncatingIfNeeded: value), as: UInt16.self)
        case 4: at.storeBytes(of: UInt32(truncatingIfNeeded: value), as: UInt32.self)
        default: at.storeBytes(of: value, as: UInt64.self)
        }
    }
}
