/// The rings of one busy key, in one allocation laid out by ``RingGeometry``.
///
/// A plain pointer, not a class: the hot path pays no reference counting. The first 16
/// bytes hold the unit the rings were last advanced to; the layout follows. This type only
/// reads and writes slots and totals; ``WindowStore`` decides what goes where and owns the
/// memory (``deallocate()``). Widening a lane makes a new buffer
/// (``widened(lane:toHold:_:)``); everything else mutates in place.
struct DenseRings {
    private let base: UnsafeMutableRawPointer
    private static let headerSize = 16

    static func allocate(widths: [UInt8], headUnit: Int64, _ g: RingGeometry) -> DenseRings {
        let byteCount = g.byteCount(widths: widths)
        let base = UnsafeMutableRawPointer.allocate(byteCount: headerSize + byteCount, alignment: 16)
        base.initializeMemory(as: UInt8.self, repeating: 0, count: headerSize + byteCount)
        let rings = DenseRings(base: base)
        rings.headUnit = headUnit
        base.storeBytes(of: UInt32(byteCount), toByteOffset: 8, as: UInt32.self)
        rings.withBytes { raw in
            var offset = g.lanesOffset
            for lane in 0..<g.laneCount {
                raw.storeBytes(of: widths[lane], toByteOffset: g.widthsOffset + lane, as: UInt8.self)
                raw.storeBytes(of: UInt16(offset), toByteOffset: g.offsetsOffset + lane * 2, as: UInt16.self)
                offset += Int(widths[lane]) * g.ringSlots[g.ring(ofLane: lane)]
            }
        }
        return rings
    }

    func deallocate() { base.deallocate() }

    /// The unit the rings are advanced to.
    var headUnit: Int64 {
        get { base.load(as: Int64.self) }
        nonmutating set { base.storeBytes(of: newValue, as: Int64.self) }
    }

    /// The bytes this key's rings occupy (allocator overhead not included).
    var byteCount: Int { Self.headerSize + Int(base.load(fromByteOffset: 8, as: UInt32.self)) }

    @inline(__always)
    private func withBytes<R>(_ body: (UnsafeMutableRawPointer) -> R) -> R {
        body(base + Self.headerSize)
    }

    /// Running total `index` (``RingGeometry/lane(ring:counter:)`` order).
    @inline(__always)
    func total(_ index: Int) -> UInt64 {
        withBytes { $0.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self) }
    }

    /// Adds `amount` to running totals `first..<first + count`.
    @inline(__always)
    func addToTotals(_ amount: UInt64, from first: Int, count: Int) {
        withBytes { raw in
            for index in first..<first + count {
                let total = raw.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self)
                raw.storeBytes(of: total &+ amount, toByteOffset: index * 8, as: UInt64.self)
            }
        }
    }

    /// Whether every running total is zero.
    func isEmpty(_ g: RingGeometry) -> Bool {
        withBytes { raw in (0..<g.laneCount).allSatisfy { raw.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self) == 0 } }
    }

    /// The running totals and the lanes, as they lie in memory: what a checkpoint copies.
    func withContents<R>(_ g: RingGeometry, _ body: (_ totals: UnsafeRawBufferPointer, _ lanes: UnsafeRawBufferPointer) -> R) -> R {
        let byteCount = Int(base.load(fromByteOffset: 8, as: UInt32.self))
        return withBytes { raw in
            body(UnsafeRawBufferPointer(start: raw, count: g.widthsOffset),
                 UnsafeRawBufferPointer(start: raw + g.lanesOffset, count: byteCount - g.lanesOffset))
        }
    }

    func widths(_ g: RingGeometry) -> [UInt8] {
        withBytes { raw in (0..<g.laneCount).map { raw.load(fromByteOffset: g.widthsOffset + $0, as: UInt8.self) } }
    }

    /// Adds `amount` to a slot (not to any total).
    ///
    /// - Returns: `false`, changing nothing, when the slot's new value needs a wider lane.
    @inline(__always)
    func add(_ amount: UInt64, lane: Int, slot: Int, _ g: RingGeometry) -> Bool {
        withBytes { raw in
            let width = Int(raw.load(fromByteOffset: g.widthsOffset + lane, as: UInt8.self))
            let at = raw + Int(raw.loadUnaligned(fromByteOffset: g.offsetsOffset + lane * 2, as: UInt16.self))
                + slot &* width
            switch width {
            case 1:
                let new = UInt64(at.load(as: UInt8.self)) &+ amount
                guard new <= 0xFF else { return false }
                at.storeBytes(of: UInt8(truncatingIfNeeded: new), as: UInt8.self)
            case 2:
                let new = UInt64(at.loadUnaligned(as: UInt16.self)) &+ amount
                guard new <= 0xFFFF else { return false }
                at.storeBytes(of: UInt16(truncatingIfNeeded: new), as: UInt16.self)
            case 4:
                let new = UInt64(at.loadUnaligned(as: UInt32.self)) &+ amount
                guard new <= 0xFFFF_FFFF else { return false }
                at.storeBytes(of: UInt32(truncatingIfNeeded: new), as: UInt32.self)
            case 8:
                // Wrapping keeps sums exact modulo 2⁶⁴; values are capped far below that.
                at.storeBytes(of: at.loadUnaligned(as: UInt64.self) &+ amount, as: UInt64.self)
            default:
                return false
            }
            return true
        }
    }

    /// What a slot holds.
    @inline(__always)
    func value(lane: Int, slot: Int, _ g: RingGeometry) -> UInt64 {
        withBytes { raw in
            let width = Int(raw.load(fromByteOffset: g.widthsOffset + lane, as: UInt8.self))
            guard width > 0 else { return 0 }
            let at = raw + Int(raw.loadUnaligned(fromByteOffset: g.offsetsOffset + lane * 2, as: UInt16.self))
                + slot &* width
            return Self.load(at, width: width)
        }
    }

    /// Empties a slot and subtracts what it held from running total `total`.
    ///
    /// - Returns: what the slot held.
    @inline(__always)
    func evict(lane: Int, slot: Int, total: Int, _ g: RingGeometry) -> UInt64 {
        withBytes { raw in
            let width = Int(raw.load(fromByteOffset: g.widthsOffset + lane, as: UInt8.self))
            guard width > 0 else { return 0 }
            let at = raw + Int(raw.loadUnaligned(fromByteOffset: g.offsetsOffset + lane * 2, as: UInt16.self))
                + slot &* width
            let value = Self.load(at, width: width)
            guard value > 0 else { return 0 }
            at.initializeMemory(as: UInt8.self, repeating: 0, count: width)
            let sum = raw.loadUnaligned(fromByteOffset: total * 8, as: UInt64.self)
            raw.storeBytes(of: sum &- value, toByteOffset: total * 8, as: UInt64.self)
            return value
        }
    }

    /// Empties every slot and total.
    func clear(_ g: RingGeometry) {
        let byteCount = g.byteCount(widths: widths(g))
        withBytes { raw in
            raw.initializeMemory(as: UInt8.self, repeating: 0, count: g.widthsOffset)
            (raw + g.lanesOffset).initializeMemory(as: UInt8.self, repeating: 0, count: byteCount - g.lanesOffset)
        }
    }

    /// A copy with `lane` wide enough to hold `value` in any slot; deallocates `self`.
    consuming func widened(lane: Int, toHold value: UInt64, _ g: RingGeometry) -> DenseRings {
        let oldWidths = widths(g)
        var newWidths = oldWidths
        newWidths[lane] = max(RingGeometry.width(toHold: value), oldWidths[lane] == 0 ? 1 : oldWidths[lane] * 2)
        let wider = DenseRings.allocate(widths: newWidths, headUnit: headUnit, g)
        withBytes { from in
            wider.withBytes { to in
                to.copyMemory(from: from, byteCount: g.widthsOffset)  // the totals
                for lane in 0..<g.laneCount where oldWidths[lane] > 0 {
                    let fromLane = from + Int(from.loadUnaligned(fromByteOffset: g.offsetsOffset + lane * 2, as: UInt16.self))
                    let toLane = to + Int(to.loadUnaligned(fromByteOffset: g.offsetsOffset + lane * 2, as: UInt16.self))
                    let (old, new) = (Int(oldWidths[lane]), Int(newWidths[lane]))
                    for slot in 0..<g.ringSlots[g.ring(ofLane: lane)] {
                        Self.store(Self.load(fromLane + slot * old, width: old), toLane + slot * new, width: new)
                    }
                }
            }
        }
        deallocate()
        return wider
    }

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
