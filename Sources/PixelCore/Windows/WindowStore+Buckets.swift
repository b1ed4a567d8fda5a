/// How a key's events reach its buckets: a short list while the key is quiet, rings once
/// it is busy; and how both age as ``now`` moves on.
extension WindowStore {
    @inline(__always)
    mutating func insert(_ kind: EventKind, value: UInt64, count: UInt32, unit: Int64, into rings: DenseRings, key: Int) {
        var rings = rings
        if rings.headUnit != nowUnit { _ = advance(&rings, key: key) }
        // The finest window that still covers the event keeps it; it counts in that
        // window and every longer one.
        var ring = 0
        var bucket = unit
        var slot = currentSlot[0]
        if unit != nowUnit {
            while bucket <= currentStep[ring] - geometry.windowSlots[ring] {
                ring += 1
                guard ring < geometry.windowCount else { return }
                bucket = unit / geometry.stepUnits[ring]
            }
            slot = Int(bucket % Int64(geometry.ringSlots[ring]))
        }
        let windows = geometry.windowCount - ring
        let countLane = geometry.lane(ring: ring, counter: RingGeometry.counter(for: kind))
        add(UInt64(count), lane: countLane, slot: slot, rings: &rings, key: key)
        rings.addToTotals(UInt64(count), from: countLane, count: windows)
        if value > 0 {
            let valueLane = geometry.lane(ring: ring, counter: RingGeometry.valueCounter)
            add(value, lane: valueLane, slot: slot, rings: &rings, key: key)
            rings.addToTotals(value, from: valueLane, count: windows)
        }
    }

    @inline(__always)
    private mutating func add(_ amount: UInt64, lane: Int, slot: Int, rings: inout DenseRings, key: Int) {
        while !rings.add(amount, lane: lane, slot: slot, geometry) {
            rings = rings.widened(lane: lane, toHold: amount, geometry)
            keys[key] = .dense(rings)
        }
    }

    /// Moves `key`'s rings from their head unit to ``now``, one unit at a time, oldest
    /// first: a bucket leaving window *r* is subtracted from its total and folded into
    /// ring *r + 1*.
    ///
    /// - Returns: whether the key now holds nothing.
    mutating func advance(_ rings: inout DenseRings, key: Int) -> Bool {
        let from = rings.headUnit
        rings.headUnit = nowUnit
        guard nowUnit - from < geometry.horizonUnits else {
            rings.clear(geometry)
            return true
        }
        var unit = from + 1
        while unit <= nowUnit {
            for ring in 0..<geometry.windowCount where unit % geometry.stepUnits[ring] == 0 {
                let leaving = unit / geometry.stepUnits[ring] - geometry.windowSlots[ring]
                let slot = Int(leaving % Int64(geometry.ringSlots[ring]))
                for counter in 0..<RingGeometry.counters {
                    let lane = geometry.lane(ring: ring, counter: counter)
                    let value = rings.evict(lane: lane, slot: slot, total: lane, geometry)
                    guard value > 0, ring + 1 < geometry.windowCount else { continue }
                    let target = leaving * geometry.stepUnits[ring] / geometry.stepUnits[ring + 1]
                    add(value, lane: lane + 1, slot: Int(target % Int64(geometry.ringSlots[ring + 1])),
                        rings: &rings, key: key)
                }
            }
            unit += 1
        }
        return rings.isEmpty(geometry)
    }

    mutating func insertSparse(_ kind: EventKind, value: UInt64, count: UInt32, unit: Int64, into events: SparseEvents, key: Int) {
        let relative = UInt32(unit - epochUnit!)
        if events.add(kind, count: count, value: value, unit: relative) { return }
        expire(events)
        if events.add(kind, count: count, value: value, unit: relative) { return }
        if events.capacity < SparseEvents.maxEntries {
            let bigger = events.grown(to: min(events.capacity * 2, SparseEvents.maxEntries))
            keys[key] = .sparse(bigger)
            if bigger.add(kind, count: count, value: value, unit: relative) { return }
        }
        // Too busy for a list: move to rings.
        let events = keys[key].sparseEvents!
        keys[key] = .dense(DenseRings.allocate(
            widths: Array(repeating: 0, count: geometry.laneCount), headUnit: nowUnit, geometry))
        for entry in events.all {
            insertIntoCurrentRings(entry.kind, value: entry.value, count: UInt32(entry.count),
                                   unit: Int64(entry.unit) + epochUnit!, key: key)
        }
        events.deallocate()
        insertIntoCurrentRings(kind, value: value, count: count, unit: unit, key: key)
    }

    /// Inserts into `key`'s rings as they are now (an insert may have widened them).
    private mutating func insertIntoCurrentRings(_ kind: EventKind, value: UInt64, count: UInt32, unit: Int64, key: Int) {
        guard case .dense(let rings) = keys[key] else { preconditionFailure("key \(key) has no rings") }
        insert(kind, value: value, count: count, unit: unit, into: rings, key: key)
    }

    /// Drops entries that no window still covers.
    mutating func expire(_ events: SparseEvents) {
        events.removeAll { entry in
            (0..<geometry.windowCount).allSatisfy { window in
                step(of: entry, window: window) <= currentStep[window] - geometry.windowSlots[window]
            }
        }
    }

    @inline(__always)
    func step(of entry: SparseEvents.Entry, window: Int) -> Int64 {
        (Int64(entry.unit) + epochUnit!) / geometry.stepUnits[window]
    }
}
