/// Sliding-window counters for many keys, bucketed by event time.
///
/// Keys are small integers from ``makeKey(countingUniques:)``; callers intern their own ids
/// (a campaign, a campaign × pixel) to keys once, so the hot path never hashes a string. A
/// key made to count unique visitors also estimates them per window, from the visitor
/// hashes of its events (see ``UniqueSketch``).
///
/// Time: the store's ``now`` is the later of the clock (``advance(to:)``) and the newest
/// accepted event. An event counts when its time is at most ``WindowConfiguration/futureTolerance``
/// ahead of the clock and at most ``WindowConfiguration/grace`` behind ``now``; otherwise it
/// is refused and counted in ``refusals``. An accepted event counts in every window whose
/// span at ``now`` contains it (a late event may be too old for the short windows and
/// still count in the long ones).
///
/// A quiet key keeps a short event list (under 128 bytes); a busy one keeps a ring per
/// window with running totals, so reads cost O(1). Rings advance lazily, on the key's next
/// update or read, so ``advance(to:)`` is O(1) whatever the number of keys.
///
/// Not copyable and not thread-safe: one owner (the aggregator actor) holds and mutates it.
/// Being a struct, it has no runtime exclusivity checks on the hot path.
public struct WindowStore: ~Copyable {
    /// The windows and the time rules.
    public let configuration: WindowConfiguration
    let geometry: RingGeometry

    /// The later of the clock and the newest accepted event time, in ms.
    public private(set) var now: Int64 = 0
    /// The newest time given to ``advance(to:)``, in ms.
    public internal(set) var clock: Int64 = 0
    /// Events refused, by reason.
    public internal(set) var refusals = Refusals()
    /// Events accepted.
    public internal(set) var accepted: UInt64 = 0

    /// The unit containing ``now``, and each window's step and ring slot for it.
    private(set) var nowUnit: Int64 = 0
    private(set) var currentStep: [Int64]
    private(set) var currentSlot: [Int]
    /// Sparse entries store units relative to this, in 32 bits.
    var epochUnit: Int64?
    var keys: ContiguousArray<KeyWindows> = []
    /// The unique-visitor sketches, and each key's index into them (-1: it counts none; a
    /// sketch no key counts with any more stays empty until the store is next restored).
    var sketches: ContiguousArray<UniqueSketch> = []
    var sketchOfKey: [Int32] = []

    /// Counts of refused events.
    public struct Refusals: Sendable, Hashable {
        /// Older than the grace period allows.
        public var tooLate: UInt64 = 0
        /// Further ahead of the clock than the tolerance allows.
        public var tooFarInFuture: UInt64 = 0
    }

    /// What became of an event.
    public enum Outcome: Sendable, Hashable {
        case accepted
        case tooLate
        case tooFarInFuture
    }

    /// A key's windows: nothing, a short event list, or rings. The store owns the memory.
    enum KeyWindows {
        case empty
        case sparse(SparseEvents)
        case dense(DenseRings)

        var sparseEvents: SparseEvents? {
            if case .sparse(let events) = self { events } else { nil }
        }
    }

    /// Creates an empty store.
    public init(configuration: WindowConfiguration = .standard) {
        self.configuration = configuration
        self.geometry = RingGeometry(configuration)
        self.currentStep = Array(repeating: 0, count: geometry.windowCount)
        self.currentSlot = Array(repeating: 0, count: geometry.windowCount)
    }

    deinit {
        for windows in keys {
            switch windows {
            case .empty: break
            case .sparse(let events): events.deallocate()
            case .dense(let rings): rings.deallocate()
            }
        }
    }

    /// The number of keys made so far.
    public var keyCount: Int { keys.count }

    /// Makes a new key with no events.
    ///
    /// - Parameter countingUniques: Whether the key estimates unique visitors too (see
    ///   ``Counts/uniques``); its sketch costs from a few bytes to 64 KiB and more.
    public mutating func makeKey(countingUniques: Bool = false) -> Int {
        keys.append(.empty)
        sketchOfKey.append(countingUniques ? Int32(sketches.count) : -1)
        if countingUniques { sketches.append(UniqueSketch()) }
        return keys.count - 1
    }

    /// Moves the clock forward to `time` (ms); earlier times are ignored.
    public mutating func advance(to time: Int64) {
        guard time > clock else { return }
        clock = time
        if time > now { setNow(time) }
    }

    /// What ``record(_:value:count:visitor:at:key:)`` would make of an event at `time` (ms)
    /// now, without recording anything.
    public func outcome(at time: Int64) -> Outcome {
        guard time <= clock &+ configuration.futureTolerance else { return .tooFarInFuture }
        guard time >= 0, time >= now - configuration.grace else { return .tooLate }
        return .accepted
    }

    /// Records `count` events of `kind` at `time` (ms) for `key`.
    ///
    /// A bot's value and visitor are ignored: robots count apart, in ``Counts/bots`` only.
    ///
    /// - Parameters:
    ///   - kind: What happened.
    ///   - value: Conversion value in minor units (summed per window); 0 for none.
    ///   - count: How many identical events; usually 1.
    ///   - visitor: The visitor's hash, for a key that counts unique visitors.
    ///   - time: Event time in ms since the Unix epoch.
    ///   - key: A key from ``makeKey(countingUniques:)``.
    /// - Returns: Whether the event counted, or why not.
    @discardableResult
    public mutating func record(
        _ kind: EventKind, value: UInt64 = 0, count: UInt32 = 1, visitor: UInt64? = nil, at time: Int64, key: Int
    ) -> Outcome {
        switch outcome(at: time) {
        case .accepted: break
        case .tooFarInFuture:
            refusals.tooFarInFuture &+= UInt64(count)
            return .tooFarInFuture
        case .tooLate:
            refusals.tooLate &+= UInt64(count)
            return .tooLate
        }
        let (value, visitor) = kind == .bot ? (0, nil) : (value, visitor)
        if time > now { setNow(time) }
        accepted &+= UInt64(count)
        let unit = time >= nowUnit * geometry.unit ? nowUnit : time / geometry.unit
        switch keys[key] {
        case .dense(let rings):
            insert(kind, value: value, count: count, unit: unit, into: rings, key: key)
        case .sparse(let events):
            insertSparse(kind, value: value, count: count, unit: unit, into: events, key: key)
        case .empty:
            let events = SparseEvents.allocate(capacity: 2)
            keys[key] = .sparse(events)
            insertSparse(kind, value: value, count: count, unit: unit, into: events, key: key)
        }
        if let visitor, sketchOfKey[key] >= 0 {
            let oldest = firstUnit(window: geometry.windowCount - 1)
            sketches[Int(sketchOfKey[key])].insert(visitor: visitor, unit: UInt32(unit - epochUnit!), oldest: oldest)
        }
        return .accepted
    }

    /// Starts or stops estimating unique visitors for `key`; a key that starts counts the
    /// visitors of its events from then on.
    public mutating func setCountingUniques(_ counting: Bool, key: Int) {
        guard counting != (sketchOfKey[key] >= 0) else { return }
        if counting {
            sketchOfKey[key] = Int32(sketches.count)
            sketches.append(UniqueSketch())
        } else {
            sketches[Int(sketchOfKey[key])] = UniqueSketch()
            sketchOfKey[key] = -1
        }
    }

    /// The counts of window `window` (an index into the configuration's windows) for `key`
    /// at ``now``.
    public mutating func counts(key: Int, window: Int) -> Counts {
        var counts = counters(key: key, window: window)
        counts.uniques = uniques(key: key)?[window]
        return counts
    }

    /// The counts of every window for `key`, in configuration order.
    public mutating func counts(key: Int) -> [Counts] {
        var counts = (0..<geometry.windowCount).map { counters(key: key, window: $0) }
        if let uniques = uniques(key: key) {
            for window in counts.indices { counts[window].uniques = uniques[window] }
        }
        return counts
    }

    /// The counters (not the uniques) of one window.
    private mutating func counters(key: Int, window: Int) -> Counts {
        switch keys[key] {
        case .empty:
            return Counts()
        case .dense(var rings):
            if rings.headUnit != nowUnit, advance(&rings, key: key) {
                rings.deallocate()
                keys[key] = .empty
                return Counts()
            }
            func total(_ counter: Int) -> UInt64 { rings.total(geometry.lane(ring: window, counter: counter)) }
            return Counts(
                views: total(0), clicks: total(1), conversions: total(2), value: total(RingGeometry.valueCounter),
                bots: total(RingGeometry.botCounter))
        case .sparse(let events):
            var counts = Counts()
            let oldest = currentStep[window] - geometry.windowSlots[window]
            for entry in events.all where step(of: entry, window: window) > oldest {
                counts[entry.kind] &+= UInt64(entry.count)
                counts.value &+= entry.value
            }
            return counts
        }
    }

    /// The unique visitors of every window, for a key that counts them.
    private mutating func uniques(key: Int) -> [UInt64]? {
        guard sketchOfKey[key] >= 0 else { return nil }
        let starts = (0..<geometry.windowCount).map { firstUnit(window: $0) }
        return sketches[Int(sketchOfKey[key])].estimates(from: starts)
    }

    /// The first unit window `window` covers at ``now``, relative to the epoch (0 when the
    /// window reaches back before it).
    private func firstUnit(window: Int) -> UInt32 {
        let first = (currentStep[window] - geometry.windowSlots[window] + 1) * geometry.stepUnits[window]
        return UInt32(clamping: first - (epochUnit ?? first))
    }

    /// Whether `key` holds nothing in any window at ``now``.
    public mutating func isIdle(key: Int) -> Bool {
        if case .sparse(let events) = keys[key] {
            expire(events)
            if events.count == 0 {
                events.deallocate()
                keys[key] = .empty
            }
        } else if case .dense = keys[key] {
            _ = counters(key: key, window: 0)
        }
        guard case .empty = keys[key] else { return false }
        // Nothing in any window: no visitor either.
        if sketchOfKey[key] >= 0 { sketches[Int(sketchOfKey[key])] = UniqueSketch() }
        return true
    }

    /// Bytes held for `key`'s windows and sketch (allocator overhead not included).
    public func byteCount(key: Int) -> Int {
        let sketch = sketchOfKey[key] >= 0 ? sketches[Int(sketchOfKey[key])].byteCount : 0
        switch keys[key] {
        case .empty: return sketch
        case .sparse(let events): return events.byteCount + sketch
        case .dense(let rings): return rings.byteCount + sketch
        }
    }

    /// Sets ``now`` to `time`, moving the current unit and each window's current step and slot with it.
    mutating func setNow(_ time: Int64) {
        now = time
        let unit = time / geometry.unit
        guard unit != nowUnit else { return }
        nowUnit = unit
        if epochUnit == nil {
            epochUnit = unit - configuration.grace / geometry.unit - 2
        }
        for window in 0..<geometry.windowCount {
            currentStep[window] = unit / geometry.stepUnits[window]
            currentSlot[window] = Int(currentStep[window] % Int64(geometry.ringSlots[window]))
        }
    }
}
