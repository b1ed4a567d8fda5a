@testable import PixelCore
import Testing

@Suite struct HourlyHistoryTests {
    static let hour = HourlyHistory.hourLength
    /// Midnight, a whole number of hours since the epoch.
    static let start: Int64 = 1_790_000_000_000 / hour * hour

    /// A history with one series made at `start`, fed `perHour(h)` views spread over hour h
    /// (from the first whole hour), for `hours` hours.
    static func history(hours: Int, _ perHour: (Int) -> Int) -> HourlyHistory {
        var history = HourlyHistory()
        let series = history.makeSeries(at: start - 1)
        for h in 0..<hours {
            let count = perHour(h)
            for index in 0..<count {
                history.record(.view, at: start + Int64(h) * hour + Int64(index) * hour / Int64(count), series: series)
            }
        }
        return history
    }

    @Test func aSteadyRateIsReadBackExactlyOverAnySpan() throws {
        let history = Self.history(hours: 48) { _ in 3600 }
        for (offset, length) in [(Int64(0), Self.hour), (Self.hour / 2, 300_000), (7 * Self.hour + 123_456, 900_000)] {
            let from = Self.start + 24 * Self.hour + offset
            let counts = try #require(history.expected(series: 0, from: from, to: from + length))
            #expect(abs(counts.views - Double(length) / 1000) < 1e-6)
            #expect(counts.clicks == 0 && counts.conversions == 0)
        }
    }

    /// From the middle of one hour to the middle of the next the rate runs straight, so a
    /// 5-minute span near an hour's end reads mostly the next hour's level.
    @Test func theRateRunsStraightBetweenTheMiddlesOfHours() throws {
        let history = Self.history(hours: 4) { $0 < 2 ? 3600 : 600 }  // 1/s, then 1/6 per s from hour 2
        func perSecond(at minute: Int64) throws -> Double {
            let from = Self.start + minute * 60_000
            return try #require(history.expected(series: 0, from: from, to: from + 60_000)).views / 60
        }
        #expect(abs(try perSecond(at: 60) - 1) < 1e-9)       // 01:00–01:01, both sides at 1/s
        #expect(abs(try perSecond(at: 120) - (1 + 1.0 / 6) / 2) < 0.01)  // 02:00: halfway
        #expect(abs(try perSecond(at: 150) - 1.0 / 6) < 0.01)  // 02:30: the new level
    }

    @Test func hoursBeforeTheSeriesBeganAreUnknownAndQuietHoursAreZero() throws {
        var history = Self.history(hours: 2) { _ in 60 }
        // The hour before the first whole hour is unknown; so is any span that needs it.
        #expect(history.expected(series: 0, from: Self.start - 60_000, to: Self.start) == nil)
        #expect(history.expected(series: 0, from: Self.start, to: Self.start + 60_000) == nil)  // reads hour −1 too
        #expect(history.expected(series: 0, from: Self.start + Self.hour, to: Self.start + Self.hour + 60_000) != nil)
        // Ten quiet hours, then an event: the quiet hours read zero.
        history.record(.view, at: Self.start + 12 * Self.hour, series: 0)
        let quiet = try #require(history.expected(series: 0, from: Self.start + 5 * Self.hour, to: Self.start + 6 * Self.hour))
        #expect(quiet.views == 0)
    }

    @Test func robotsAreNotCountedAndKindsAreKeptApart() throws {
        var history = HourlyHistory()
        let series = history.makeSeries(at: Self.start - 1)
        for h in 0..<3 {
            for minute in 0..<60 {
                let time = Self.start + Int64(h) * Self.hour + Int64(minute) * 60_000
                history.record(.click, at: time, series: series)
                history.record(.bot, at: time, series: series)
                if minute % 6 == 0 { history.record(.conversion, at: time, series: series) }
            }
        }
        let counts = try #require(history.expected(series: series, from: Self.start + Self.hour, to: Self.start + 2 * Self.hour))
        #expect(abs(counts.clicks - 60) < 1e-9 && abs(counts.conversions - 10) < 1e-9 && counts.views == 0)
    }

    /// The ring keeps seven days and three hours: the same time last week is there, with the
    /// hour before it; older hours are gone.
    @Test func aWeekIsKeptAndOlderHoursAreForgotten() throws {
        let hours = 24 * 8
        let history = Self.history(hours: hours) { $0 % 24 == 20 ? 120 : 60 }
        let now = Self.start + Int64(hours) * Self.hour
        let lastWeek = now - 7 * 24 * Self.hour
        let hourAgo = try #require(history.expected(series: 0, from: lastWeek - Self.hour, to: lastWeek))
        #expect(abs(hourAgo.views - 60) < 1e-9)
        #expect(history.expected(series: 0, from: now - 7 * 24 * Self.hour - 4 * Self.hour, to: now - 7 * 24 * Self.hour - 3 * Self.hour) == nil)
        // The evening hour of the first day still in the ring.
        let evening = Self.start + 24 * Self.hour + 20 * Self.hour
        let read = try #require(history.expected(series: 0, from: evening + 1_500_000, to: evening + 2_100_000))
        // 20:25–20:35: 2/min at the hour's middle, leaning towards the neighbours' 1/min either side.
        #expect(abs(read.views - (20 - 5.0 / 12)) < 1e-9)
    }

    @Test func aCheckpointRestoresEverySeries() throws {
        var history = Self.history(hours: 30) { $0 * 7 }
        let second = history.makeSeries(at: Self.start + 10 * Self.hour)
        history.record(.conversion, at: Self.start + 20 * Self.hour, series: second)
        var writer = ByteWriter()
        history.encode(into: &writer)
        let bytes = writer.bytes
        let restored = try bytes.withUnsafeBytes { buffer in
            var reader = ByteReader(buffer)
            return try HourlyHistory(decoding: &reader)
        }
        #expect(restored.seriesCount == 2)
        for h in 1..<29 {
            let (from, to) = (Self.start + Int64(h) * Self.hour, Self.start + Int64(h) * Self.hour + 600_000)
            #expect(restored.expected(series: 0, from: from, to: to) == history.expected(series: 0, from: from, to: to))
            #expect(restored.expected(series: 1, from: from, to: to) == history.expected(series: 1, from: from, to: to))
        }
    }
}
