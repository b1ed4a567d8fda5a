import PixelCore

/// Every campaign's traffic broken down by each ``PixelCore/SegmentDimension``, in
/// sliding windows of their own: the same windows, steps and grace as the keys', fed the
/// same events, so a dimension's rows add up to the campaign's rollup.
///
/// Device class, browser and operating system have a few values each, all kept. Channel,
/// referrer and country are open-ended, so each campaign keeps at most ``bound`` values of
/// each (admitted as they first appear); hits of further values count in the dimension's
/// `(other)` row. A value idle in every window gives its place up at the next sweep, so
/// the rows follow the values of the last hour. Hits that name no value count as `(none)`,
/// which is always kept. Memory per campaign is therefore bounded whatever the traffic
/// (10 000 referrer hosts cost what `bound` of them do).
struct SegmentCounts: ~Copyable {
    /// A campaign's breakdown by one dimension.
    struct Group {
        let campaign: CampaignID
        let dimension: SegmentDimension
        /// The values kept, with their keys.
        var values: [(name: String, id: UInt32, key: Int)] = []
        /// The key of `(other)`, made when first needed.
        var other: Int?
        /// The rows last published.
        var published: [(segment: String, counts: [Counts])] = []
    }

    /// The value id of `(none)`.
    static let none = UInt32.max
    /// Closed dimensions' slots per campaign: device (8), browser (16), system (8).
    private static let closedSlots = 32
    static let dimensions = SegmentDimension.allCases.count

    /// The most values kept per campaign for channel, referrer and country.
    let bound: Int
    private(set) var store: WindowStore
    private(set) var groups: [Group] = []
    /// The first group of the campaign whose rollup key is the index, -1 if none yet.
    private(set) var firstGroupOfRollup: [Int32] = []
    /// The keys of closed-dimension values, by campaign and raw value (-1: none yet).
    private var closedKeys: [Int32] = []
    /// The keys of open-dimension values, by `group << 32 | value id`.
    private var openKeys: [UInt64: Int] = [:]
    /// Keys whose values left, to be reused.
    private var freeKeys: [Int] = []
    /// Groups counted into since they were last published.
    private var dirty: [Int] = []
    private var isDirty: [Bool] = []
    /// Groups that hold counts, visited by every sweep.
    private var active: [Int] = []
    private var isActive: [Bool] = []

    init(configuration: WindowConfiguration, bound: Int) {
        precondition(bound >= 1, "a bound of at least one value")
        self.bound = bound
        store = WindowStore(configuration: configuration)
    }

    /// Moves the clock forward, as the keys' store's.
    mutating func advance(to time: Int64) { store.advance(to: time) }

    /// Counts the events of a batch that the keys' store counted (`counted`), in the same
    /// order, into each dimension of their campaigns.
    ///
    /// - Parameters:
    ///   - nameIDs: The id of each of the batch's names (shared with the key table, so a
    ///     channel or referrer is the same value in every batch).
    ///   - keys: Each event's keys; its campaign's rollup key identifies the campaign.
    mutating func record(_ batch: borrowing EventBatch, nameIDs: [UInt32], keys: [(pixel: Int, rollup: Int)], counted: [Bool]) {
        for index in batch.events.indices where counted[index] {
            let event = batch.events[index]
            let first = firstGroup(ofRollup: keys[index].rollup) { batch.names[Int(event.campaign)] }
            countClosed(event, first: first, dimension: 0, value: event.device.rawValue)
            countClosed(event, first: first, dimension: 1, value: event.browser.rawValue)
            countClosed(event, first: first, dimension: 2, value: event.os.rawValue)
            let (channel, referrer) = (event.channel, event.referrer)
            countOpen(event, group: first + 3, id: channel == EventBatch.noName ? Self.none : nameIDs[Int(channel)]) {
                batch.names[Int(channel)]
            }
            countOpen(event, group: first + 4, id: referrer == EventBatch.noName ? Self.none : nameIDs[Int(referrer)]) {
                batch.names[Int(referrer)]
            }
            countOpen(event, group: first + 5, id: event.country == 0 ? Self.none : UInt32(event.country)) {
                CountryCode(rawValue: event.country)!.description
            }
        }
    }

    /// Counts into a device, browser or system value (dimension 0, 1 or 2).
    @inline(__always)
    private mutating func countClosed(_ event: EventBatch.Event, first: Int, dimension: Int, value: UInt8) {
        let slot = Self.closedSlot(first: first, dimension: dimension, value: UInt32(value))
        var key = Int(closedKeys[slot])
        if key < 0 {
            key = admit(group: first + dimension, id: UInt32(value), name: Self.closedName(dimension, UInt32(value)))
            closedKeys[slot] = Int32(key)
        }
        count(event, key: key, group: first + dimension)
    }

    /// Counts into a channel, referrer or country value, `name` giving its text on first sight.
    @inline(__always)
    private mutating func countOpen(_ event: EventBatch.Event, group: Int, id: UInt32, name: () -> String) {
        let key = openKeys[UInt64(group) << 32 | UInt64(id)] ?? admitOpen(group: group, id: id, name: name)
        count(event, key: key, group: group)
    }

    private mutating func count(_ event: EventBatch.Event, key: Int, group: Int) {
        let outcome = store.record(event.kind, value: event.value, at: event.time, key: key)
        assert(outcome == .accepted, "the keys' store counted it at the same clock")
        if !isDirty[group] {
            isDirty[group] = true
            dirty.append(group)
        }
    }

    /// The key of a new open-dimension value, or of `(other)` past the bound.
    private mutating func admitOpen(group: Int, id: UInt32, name: () -> String) -> Int {
        guard id == Self.none || groups[group].values.count < bound + (hasNone(group) ? 1 : 0) else {
            if let other = groups[group].other { return other }
            let other = newKey()
            groups[group].other = other
            return other
        }
        let key = admit(group: group, id: id, name: id == Self.none ? SegmentDimension.noneValue : name())
        openKeys[UInt64(group) << 32 | UInt64(id)] = key
        return key
    }

    private func hasNone(_ group: Int) -> Bool { groups[group].values.contains { $0.id == Self.none } }

    private mutating func admit(group: Int, id: UInt32, name: String) -> Int {
        let key = newKey()
        groups[group].values.append((name, id, key))
        return key
    }

    private mutating func newKey() -> Int { freeKeys.popLast() ?? store.makeKey() }

    /// The first of a campaign's groups, made on first sight.
    mutating func firstGroup(ofRollup rollup: Int, campaign: () -> String) -> Int {
        if rollup < firstGroupOfRollup.count, firstGroupOfRollup[rollup] >= 0 { return Int(firstGroupOfRollup[rollup]) }
        while firstGroupOfRollup.count <= rollup { firstGroupOfRollup.append(-1) }
        let first = groups.count
        firstGroupOfRollup[rollup] = Int32(first)
        let campaign = CampaignID(unchecked: campaign())
        for dimension in SegmentDimension.allCases { groups.append(Group(campaign: campaign, dimension: dimension)) }
        closedKeys.append(contentsOf: repeatElement(-1, count: Self.closedSlots))
        isDirty.append(contentsOf: repeatElement(false, count: Self.dimensions))
        isActive.append(contentsOf: repeatElement(false, count: Self.dimensions))
        return first
    }

    /// The id of a value named `name` in `dimension`, as ``record(_:nameIDs:keys:counted:)``
    /// gives it; `nil` for a name the dimension cannot have.
    static func valueID(of name: String, in dimension: SegmentDimension, nameID: (String) -> UInt32) -> UInt32? {
        if name == SegmentDimension.noneValue { return dimension.rawValue >= 3 ? none : nil }
        return switch dimension {
        case .device: DeviceClass.allCases.first { $0.description == name }.map { UInt32($0.rawValue) }
        case .browser: BrowserFamily.allCases.first { $0.name == name }.map { UInt32($0.rawValue) }
        case .os: OperatingSystem.allCases.first { $0.name == name }.map { UInt32($0.rawValue) }
        case .channel, .referrer: SegmentValue(rawValue: name).map { nameID($0.rawValue) }
        case .country: CountryCode(name).map { UInt32($0.rawValue) }
        }
    }

    /// Puts back a value read from a checkpoint.
    mutating func restore(group: Int, id: UInt32, name: String, key: Int) {
        groups[group].values.append((name, id, key))
        let dimension = Int(groups[group].dimension.rawValue)
        if dimension < 3 {
            closedKeys[Self.closedSlot(first: group - dimension, dimension: dimension, value: id)] = Int32(key)
        } else {
            openKeys[UInt64(group) << 32 | UInt64(id)] = key
        }
    }

    /// Puts back a group's `(other)` key read from a checkpoint.
    mutating func restore(group: Int, other: Int) { groups[group].other = other }

    /// Reads the windows of a checkpoint whose groups used `used`; the other keys are free,
    /// and every group with a key is published at the first tick.
    mutating func restoreStore(
        decoding reader: inout ByteReader, configuration: WindowConfiguration, format: CheckpointFormat,
        used: [(group: Int, key: Int)]
    ) throws(CheckpointError) {
        store = try WindowStore(decoding: &reader, configuration: configuration, format: format)
        var taken = [Bool](repeating: false, count: store.keyCount)
        for (group, key) in used {
            guard key < taken.count, !taken[key] else { throw CheckpointError("a segment key \(key) is missing or used twice") }
            taken[key] = true
            if !isDirty[group] {
                isDirty[group] = true
                dirty.append(group)
            }
        }
        freeKeys = taken.indices.filter { !taken[$0] }
    }

    /// Where in ``closedKeys`` a device (0), browser (1) or system (2) value's key is.
    @inline(__always)
    private static func closedSlot(first: Int, dimension: Int, value: UInt32) -> Int {
        first / dimensions * closedSlots + (dimension == 0 ? 0 : dimension == 1 ? 8 : 24) + Int(value)
    }

    private static func closedName(_ dimension: Int, _ value: UInt32) -> String {
        switch dimension {
        case 0: DeviceClass(rawValue: UInt8(value))!.description
        case 1: BrowserFamily(rawValue: UInt8(value))!.name
        default: OperatingSystem(rawValue: UInt8(value))!.name
        }
    }

    /// The breakdowns whose rows changed since last published: those counted into, and
    /// with `sweep` every group that holds counts, whose windows may have slid. A sweep
    /// also lets values idle in every window go, and a group left with none is published
    /// once, empty, and then left alone.
    /// Each update takes the next `seq`.
    mutating func changes(now: Int64, sweep: Bool, seq: inout UInt64) -> [SegmentsUpdate] {
        store.advance(to: now)
        var visit = dirty
        for group in dirty { isDirty[group] = false }
        dirty.removeAll(keepingCapacity: true)
        for group in visit where !isActive[group] {
            isActive[group] = true
            active.append(group)
        }
        if sweep { visit = active }
        var updates: [SegmentsUpdate] = []
        for group in visit {
            if sweep { release(idleValuesOf: group) }
            let rows = rows(of: group)
            // Nothing to break down (no country database, a collector that does not say).
            if groups[group].published.isEmpty, rows.allSatisfy({ $0.segment == SegmentDimension.noneValue }) { continue }
            guard !rows.elementsEqual(groups[group].published, by: { $0.segment == $1.segment && $0.counts == $1.counts })
            else { continue }
            groups[group].published = rows
            updates.append(
                SegmentsUpdate(campaign: groups[group].campaign, dimension: groups[group].dimension, seq: seq + 1, time: now, rows: rows))
            seq += 1
        }
        if sweep {
            active.removeAll { group in
                let idle = groups[group].values.isEmpty && groups[group].other == nil
                if idle { isActive[group] = false }
                return idle
            }
        }
        return updates
    }

    /// The rows now of every breakdown published so far whose topic starts with `prefix`,
    /// for a snapshot (called after a flush, so nothing counted is unpublished).
    mutating func snapshot(prefix: String, seq: UInt64, now: Int64) -> [SegmentsUpdate] {
        store.advance(to: now)
        return groups.indices.compactMap { group in
            let (campaign, dimension) = (groups[group].campaign, groups[group].dimension)
            guard FeedTopic.segments(campaign: campaign, dimension: dimension).hasPrefix(prefix), !groups[group].published.isEmpty
            else { return nil }
            return SegmentsUpdate(campaign: campaign, dimension: dimension, seq: seq, time: now, rows: rows(of: group))
        }
    }

    /// A campaign's rows in `dimension` now (see ``rows(of:)``), or `nil` for a campaign never counted.
    mutating func rows(ofRollup rollup: Int, dimension: SegmentDimension) -> [(segment: String, counts: [Counts])]? {
        guard rollup < firstGroupOfRollup.count, firstGroupOfRollup[rollup] >= 0 else { return nil }
        return rows(of: Int(firstGroupOfRollup[rollup]) + Int(dimension.rawValue))
    }

    /// The non-empty rows of a group, busiest first (events in the longest window), then by name.
    private mutating func rows(of group: Int) -> [(segment: String, counts: [Counts])] {
        var rows = groups[group].values.map { (segment: $0.name, counts: store.counts(key: $0.key)) }
        if let other = groups[group].other { rows.append((SegmentDimension.otherValue, store.counts(key: other))) }
        rows.removeAll { $0.counts.allSatisfy(\.isZero) }
        func events(_ counts: [Counts]) -> UInt64 {
            let last = counts[counts.count - 1]
            return last.views + last.clicks + last.conversions + last.bots
        }
        return rows.sorted { (events($1.counts), $0.segment) < (events($0.counts), $1.segment) }
    }

    /// Lets the values of `group` that hold nothing in any window go, their keys for reuse.
    private mutating func release(idleValuesOf group: Int) {
        let first = group - group % Self.dimensions
        let dimension = Int(groups[group].dimension.rawValue)
        groups[group].values.removeAll { value in
            guard store.isIdle(key: value.key) else { return false }
            if dimension < 3 {
                closedKeys[Self.closedSlot(first: first, dimension: dimension, value: value.id)] = -1
            } else {
                openKeys[UInt64(group) << 32 | UInt64(value.id)] = nil
            }
            freeKeys.append(value.key)
            return true
        }
        if let other = groups[group].other, store.isIdle(key: other) {
            freeKeys.append(other)
            groups[group].other = nil
        }
    }

    /// Bytes held for a campaign's breakdowns (windows and tables; allocator overhead not
    /// included), or 0 for a campaign never seen.
    func byteCount(rollup: Int) -> Int {
        guard rollup < firstGroupOfRollup.count, firstGroupOfRollup[rollup] >= 0 else { return 0 }
        let first = Int(firstGroupOfRollup[rollup])
        var total = Self.closedSlots * 4
        for group in groups[first..<(first + Self.dimensions)] {
            let keys = group.values.map(\.key) + (group.other.map { [$0] } ?? [])
            for key in keys { total += store.byteCount(key: key) + 16 + 32 }  // the key's entry and value name
        }
        return total
    }
}
