/// The last seven days of some keys' traffic, hour by hour: what a seasonal alert baseline
/// reads to know what is normal at this time of day and week.
///
/// Each series keeps views, clicks and conversions per hour of event time in a ring of
/// ``hours`` hours (2 052 bytes); robots are not counted. An hour with no events is zero; an
/// hour before the series began (the hour it was made in is partial) is unknown.
///
/// ``expected(series:from:to:)`` reads the hours as a rate that runs straight from the
/// middle of one hour to the middle of the next, so an evening decline is followed within
/// the hour rather than as a staircase of hourly averages.
package struct HourlyHistory: Sendable {
    package static let hourLength: Int64 = 3_600_000
    /// Seven days, and the hours before that reading the same time last week, up to an
    /// hour's window, needs.
    package static let hours = 7 * 24 + 3
    /// Views, clicks, conversions.
    static let counters = 3

    /// Per series, the newest hour counted into, and the first whole hour it has seen.
    private var newest: [Int64] = []
    private var first: [Int64] = []
    /// Per series, ``hours`` hours of ``counters`` counts, by hour modulo ``hours``.
    private var cells: [UInt32] = []

    package init() {}

    package var seriesCount: Int { newest.count }

    /// Bytes held per series.
    package static let bytesPerSeries = hours * counters * MemoryLayout<UInt32>.size + 16

    /// A new series whose history starts with the first whole hour after `time`.
    package mutating func makeSeries(at time: Int64) -> Int {
        let hour = Self.hour(of: time)
        newest.append(hour)
        first.append(hour + 1)
        cells.append(contentsOf: repeatElement(0, count: Self.hours * Self.counters))
        return newest.count - 1
    }

    /// Counts one event of `kind` at `time` (ms), unless it is a robot's or older than the ring.
    @inline(__always)
    package mutating func record(_ kind: EventKind, at time: Int64, series: Int) {
        guard kind != .bot else { return }
        let hour = Self.hour(of: time)
        if hour > newest[series] { advance(series, to: hour) }
        guard hour > newest[series] - Int64(Self.hours) else { return }
        let cell = cellIndex(series, hour: hour) + Int(kind.rawValue)
        if cells[cell] != .max { cells[cell] += 1 }
    }

    /// Clears the hours a series passes over on its way to `hour`.
    private mutating func advance(_ series: Int, to hour: Int64) {
        let cleared = min(hour - newest[series], Int64(Self.hours))
        for step in 0..<cleared {
            let start = cellIndex(series, hour: hour - step)
            for counter in 0..<Self.counters { cells[start + counter] = 0 }
        }
        newest[series] = hour
    }

    private func cellIndex(_ series: Int, hour: Int64) -> Int {
        (series * Self.hours + Int(hour % Int64(Self.hours))) * Self.counters
    }

    private static func hour(of time: Int64) -> Int64 { max(0, time) / hourLength }

    /// The counts of one hour; `nil` when unknown (before the series began, or gone from the ring).
    private func counts(_ series: Int, hour: Int64) -> PastCounts? {
        guard hour >= first[series], hour > newest[series] - Int64(Self.hours) else { return nil }
        guard hour <= newest[series] else { return PastCounts() }
        let cell = cellIndex(series, hour: hour)
        return PastCounts(views: Double(cells[cell]), clicks: Double(cells[cell + 1]), conversions: Double(cells[cell + 2]))
    }

    /// How many events the series' history puts between `start` and `end` (ms, `start` <
    /// `end`, at most an hour apart): the integral of the rate through the middle of each
    /// hour. `nil` when an hour it needs is unknown.
    package func expected(series: Int, from start: Int64, to end: Int64) -> PastCounts? {
        let half = Self.hourLength / 2
        /// The rate (per ms) at `time`, between the middles of the hours around it.
        func rate(at time: Int64) -> PastCounts? {
            let before = (time - half) / Self.hourLength
            guard let low = counts(series, hour: before), let high = counts(series, hour: before + 1) else { return nil }
            let fraction = Double(time - half - before * Self.hourLength) / Double(Self.hourLength)
            return (low * (1 - fraction) + high * fraction) * (1 / Double(Self.hourLength))
        }
        var total = PastCounts()
        var from = start
        while from < end {
            // The next middle of an hour: where the rate bends.
            let bend = ((from - half) / Self.hourLength + 1) * Self.hourLength + half
            let to = min(end, bend)
            guard let a = rate(at: from), let b = rate(at: to) else { return nil }
            total = total + (a + b) * (Double(to - from) / 2)
            from = to
        }
        return total
    }
}

/// Events of three kinds expected over a span of the past, fractional because they are
/// read off hourly rates.
package struct PastCounts: Sendable, Hashable {
    package var views: Double = 0
    package var clicks: Double = 0
    package var conversions: Double = 0

    package init(views: Double = 0, clicks: Double = 0, conversions: Double = 0) {
        self.views = views
        self.clicks = clicks
        self.conversions = conversions
    }

    static func + (a: Self, b: Self) -> Self {
        Self(views: a.views + b.views, clicks: a.clicks + b.clicks, conversions: a.conversions + b.conversions)
    }

    static func * (a: Self, scale: Double) -> Self {
        Self(views: a.views * scale, clicks: a.clicks * scale, conversions: a.conversions * scale)
    }
}

// MARK: - Checkpoints

extension HourlyHistory {
    package func encode(into writer: inout ByteWriter) {
        writer.write(UInt32(seriesCount))
        for series in 0..<seriesCount {
            writer.write(first[series])
            writer.write(newest[series])
        }
        for cell in cells { writer.write(cell) }
    }

    package init(decoding reader: inout ByteReader) throws(WireError) {
        let count = Int(try reader.read(UInt32.self, "history series count"))
        guard count <= reader.remaining / (Self.hours * Self.counters * 4) else {
            throw .countOutOfRange(field: "history series", count: count)
        }
        for _ in 0..<count {
            first.append(try reader.read(Int64.self, "history first hour"))
            newest.append(try reader.read(Int64.self, "history newest hour"))
        }
        cells.reserveCapacity(count * Self.hours * Self.counters)
        for _ in 0..<(count * Self.hours * Self.counters) { cells.append(try reader.read(UInt32.self, "history count")) }
    }
}
