/// Reading a window step by step, for a chart of its recent history.
extension WindowStore {
    /// The counts of `key` in each step of window `window` (an index into the
    /// configuration's windows) at ``now``, oldest first.
    ///
    /// A busy key's window is spread over rings `0…window`, ring *r* at window *r*'s step;
    /// steps nest, so each bucket of a finer ring falls in exactly one step of `window` and
    /// is added to it. The result is exact: its ``WindowSeries/total`` equals
    /// ``counts(key:window:)`` without the uniques. Costs O(the rings' slots).
    public mutating func series(key: Int, window: Int) -> WindowSeries {
        let spec = configuration.windows[window]
        let slotCount = Int(geometry.windowSlots[window])
        let firstStep = currentStep[window] - geometry.windowSlots[window] + 1
        var slots = Array(repeating: Counts(), count: slotCount)
        switch keys[key] {
        case .empty:
            break
        case .dense(var rings):
            if rings.headUnit != nowUnit, advance(&rings, key: key) {
                rings.deallocate()
                keys[key] = .empty
                break
            }
            for ring in 0...window {
                for bucket in liveBuckets(ring: ring) {
                    let slot = Int(bucket % Int64(geometry.ringSlots[ring]))
                    let step = bucket * geometry.stepUnits[ring] / geometry.stepUnits[window]
                    let index = Int(step - firstStep)
                    for counter in 0..<RingGeometry.counters {
                        let amount = rings.value(lane: geometry.lane(ring: ring, counter: counter), slot: slot, geometry)
                        guard amount > 0 else { continue }
                        slots[index].add(amount, counter: counter)
                    }
                }
            }
        case .sparse(let events):
            for entry in events.all {
                let index = Int(step(of: entry, window: window) - firstStep)
                guard slots.indices.contains(index) else { continue }
                slots[index][entry.kind] &+= UInt64(entry.count)
                slots[index].value &+= entry.value
            }
        }
        return WindowSeries(window: spec, start: firstStep * spec.step, slots: slots)
    }

    /// The buckets ring `ring` may hold at ``now``: those still in window `ring` whose first
    /// unit window `ring − 1` no longer covers (events reach ring *r* only once they are
    /// older than window *r − 1*).
    private func liveBuckets(ring: Int) -> Range<Int64> {
        let oldest = currentStep[ring] - geometry.windowSlots[ring] + 1
        var newest = currentStep[ring]
        if ring > 0 {
            let finerStart = (currentStep[ring - 1] - geometry.windowSlots[ring - 1] + 1) * geometry.stepUnits[ring - 1]
            newest = min(newest, (finerStart - 1) / geometry.stepUnits[ring])
        }
        guard newest >= oldest else { return oldest..<oldest }
        assert(newest - oldest < Int64(geometry.ringSlots[ring]), "ring \(ring) would alias its slots")
        return oldest..<newest + 1
    }
}

extension Counts {
    /// Adds `amount` to counter `counter` (``RingGeometry`` order).
    fileprivate mutating func add(_ amount: UInt64, counter: Int) {
        switch counter {
        case 0: views &+= amount
        case 1: clicks &+= amount
        case 2: conversions &+= amount
        case RingGeometry.valueCounter: value &+= amount
        default: bots &+= amount
        }
    }
}
