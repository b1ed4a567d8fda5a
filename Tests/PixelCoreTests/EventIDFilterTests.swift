@testable import PixelCore
import PixelPulseTesting
import Testing

/// The event-id filter remembers each id for its horizon (and less than a minute more), per
/// scope, within its limit and in 10–15 bytes an id, across checkpoints of both formats.
@Suite struct EventIDFilterTests {
    static let t0: Int64 = 1_790_000_000_000
    static let minute: Int64 = 60_000

    static func id(_ number: Int) -> EventID { EventID(rawValue: UInt64(number) &* 0x2545_f491_4f6c_dd1d) }

    /// Through checkpoint bytes of the current format.
    static func copy(_ filter: EventIDFilter, horizon: Int64? = nil, limit: Int? = nil) throws -> EventIDFilter {
        var writer = ByteWriter()
        filter.encode(into: &writer)
        return try writer.bytes.withUnsafeBytes { bytes in
            var reader = ByteReader(bytes)
            let copy = try EventIDFilter(decoding: &reader, horizon: horizon ?? filter.horizon, limit: limit ?? filter.limit)
            #expect(reader.remaining == 0)
            return copy
        }
    }

    @Test func anIDIsRememberedForTheHorizonThenForgotten() {
        let ids = Filter(EventIDFilter(horizon: 10 * Self.minute))
        #expect(ids.isNew(1, at: Self.t0))
        #expect(!ids.isNew(1, at: Self.t0 + 1))
        #expect(!ids.isNew(1, at: Self.t0 + 10 * Self.minute), "the whole horizon")
        #expect(ids.filter.count == 1)
        // Less than a minute past the horizon it is gone: ages are counted in whole minutes.
        ids.filter.advance(to: Self.t0 + 11 * Self.minute)
        #expect(ids.filter.count == 0)
        #expect(ids.isNew(1, at: Self.t0 + 11 * Self.minute))
        #expect(ids.filter.count == 1)
    }

    @Test func eachScopeRemembersItsOwnIDs() {
        let ids = Filter(EventIDFilter())
        #expect(ids.isNew(7, scope: 1, at: Self.t0))
        #expect(ids.isNew(7, scope: 2, at: Self.t0))
        #expect(!ids.isNew(7, scope: 1, at: Self.t0))
        #expect(!ids.isNew(7, scope: 2, at: Self.t0))
        #expect(ids.filter.count == 2)
    }

    @Test func theClockNeverGoesBack() {
        let ids = Filter(EventIDFilter(horizon: Self.minute))
        #expect(ids.isNew(1, at: Self.t0))
        #expect(!ids.isNew(1, at: Self.t0 - 10 * Self.minute))
        #expect(ids.isNew(2, at: Self.t0 - 10 * Self.minute))
        ids.filter.advance(to: Self.t0 + 2 * Self.minute)
        #expect(ids.filter.count == 0)
    }

    /// Over many horizons the ids age out minute by minute, with sweeps, growth and a jump
    /// of the clock by weeks, always agreeing with a plain dictionary of last sightings.
    @Test func agreesWithAPlainReference() {
        var rng = SplitMix64(seed: 5)
        let horizon = 7 * Self.minute
        let ids = Filter(EventIDFilter(horizon: horizon))
        var seen: [Int: Int64] = [:]  // id → the minute it was remembered at
        var time = Self.t0
        for round in 0..<60_000 {
            time += round == 30_000 ? 21 * 24 * 60 * Self.minute : Int64.random(in: 0...400, using: &rng)
            let number = Int.random(in: 0..<5000, using: &rng)
            let minute = time / Self.minute
            let isNew = seen[number].map { minute - $0 > 7 } ?? true
            if isNew { seen[number] = minute }
            #expect(ids.isNew(number, scope: 3, at: time) == isNew, "round \(round)")
        }
        let minute = time / Self.minute
        #expect(ids.filter.count == seen.values.filter { minute - $0 <= 7 }.count)
        #expect(ids.filter.forgotten == 0)
    }

    @Test func theLimitForgetsTheOldestEighthEarlyAndCountsThem() {
        let ids = Filter(EventIDFilter(horizon: 60 * Self.minute, limit: 1000))
        for number in 0..<1000 {
            // 100 ids a minute, for 10 minutes.
            #expect(ids.isNew(number, at: Self.t0 + Int64(number / 100) * Self.minute))
        }
        #expect(ids.filter.count == 1000 && ids.filter.forgotten == 0)
        let now = Self.t0 + 10 * Self.minute
        #expect(ids.isNew(1000, at: now))
        // An eighth is 125 ids: the two oldest minutes go, whole.
        #expect(ids.filter.forgotten == 200)
        #expect(ids.filter.count == 801)
        #expect(!ids.isNew(200, at: now), "the third minute is still remembered")
        #expect(ids.isNew(199, at: now), "the second minute is forgotten")
        #expect(ids.filter.count == 802)
    }

    @Test func manyIDsTakeAtMost15BytesEach() {
        var filter = EventIDFilter()
        for number in 0..<1_000_000 {
            _ = filter.insert(Self.id(number), scope: number % 50, now: Self.t0 + Int64(number) * 10)
            if number >= 100_000, number % 50_000 == 0 {
                let bytes = Double(filter.byteCount) / Double(filter.count)
                #expect(bytes >= 10 && bytes <= 15.2, "\(bytes) bytes per id at \(filter.count)")
            }
        }
        #expect(filter.count == 1_000_000)
    }

    /// New ids every minute and a horizon of 30 minutes: the ids of each minute expire as
    /// new ones come, and the table stays the size the remembered ids need.
    @Test func aRollingHorizonKeepsTheBytesPerIDDown() {
        var filter = EventIDFilter(horizon: 30 * Self.minute)
        let start = Self.t0 / Self.minute * Self.minute
        var number = 0
        for minute in 0..<300 as Range<Int64> {
            for tick in 0..<4000 {
                _ = filter.insert(Self.id(number), scope: 0, now: start + minute * Self.minute + Int64(tick) * 15)
                number += 1
            }
            if minute >= 60 {
                #expect(filter.count == 31 * 4000)
                let bytes = Double(filter.byteCount) / Double(filter.count)
                #expect(bytes >= 10 && bytes <= 16, "\(bytes) bytes per id at minute \(minute)")
            }
        }
    }

    @Test func aCheckpointKeepsTheIDsAndTheirAges() throws {
        var filter = EventIDFilter(horizon: 10 * Self.minute)
        for number in 0..<3000 {
            _ = filter.insert(Self.id(number), scope: number % 3, now: Self.t0 + Int64(number / 300) * Self.minute)
        }
        let copy = Filter(try Self.copy(filter))
        #expect(copy.filter.count == 3000)
        #expect(!copy.isNew(0, at: Self.t0 + 10 * Self.minute))
        #expect(!copy.isNew(2999, scope: 2, at: Self.t0 + 10 * Self.minute))
        #expect(copy.isNew(2999, at: Self.t0 + 10 * Self.minute), "another scope")
        // The first minute's ids age out of the copy as they would have out of the original.
        copy.filter.advance(to: Self.t0 + 11 * Self.minute)
        filter.advance(to: Self.t0 + 11 * Self.minute)
        #expect(copy.filter.count == filter.count + 1)
        #expect(copy.isNew(0, at: Self.t0 + 11 * Self.minute))
        #expect(!copy.isNew(300, at: Self.t0 + 11 * Self.minute))
    }

    @Test func aCheckpointReadUnderAShorterHorizonOrALowerLimitForgetsTheOldest() throws {
        var filter = EventIDFilter(horizon: 60 * Self.minute)
        for number in 0..<1000 {
            _ = filter.insert(Self.id(number), scope: 0, now: Self.t0 + Int64(number / 100) * Self.minute)
        }
        let shorter = try Self.copy(filter, horizon: 5 * Self.minute)
        #expect(shorter.count == 600, "the 6 youngest minutes: ages 0…5")
        // Whole minutes go, the oldest first, an eighth or more at a time: 200, then 100.
        let lower = try Self.copy(filter, limit: 700)
        #expect(lower.count == 700 && lower.forgotten == 300)
    }

    /// Format 1 kept two generations of 64-bit keys and the current generation's start:
    /// every id comes over, remembered for the horizon from that start.
    @Test func theFormatOfTheReleaseBeforeIsRead() throws {
        let start = Self.t0 - 30 * Self.minute
        var writer = ByteWriter()
        writer.write(start)
        let current = (0..<50).map { EventIDFilter.key(Self.id($0), scope: 4) }
        let previous = (50..<80).map { EventIDFilter.key(Self.id($0), scope: 5) }
        for keys in [current, previous] {
            writer.write(UInt32(keys.count))
            for key in keys { writer.write(key) }
        }
        let ids = Filter(try writer.bytes.withUnsafeBytes { bytes in
            var reader = ByteReader(bytes)
            return try EventIDFilter(decodingVersion1: &reader, horizon: 60 * Self.minute, limit: 1000)
        })
        #expect(ids.filter.count == 80)
        #expect(!ids.isNew(3, scope: 4, at: Self.t0))
        #expect(!ids.isNew(79, scope: 5, at: Self.t0))
        #expect(ids.isNew(79, scope: 4, at: Self.t0))
        ids.filter.advance(to: start + 61 * Self.minute)
        #expect(ids.filter.count == 1, "only the id inserted since")

        var empty = ByteWriter()
        empty.write(Int64.min)
        empty.write(UInt32(0))
        empty.write(UInt32(0))
        let none = try empty.bytes.withUnsafeBytes { bytes in
            var reader = ByteReader(bytes)
            return try EventIDFilter(decodingVersion1: &reader, horizon: 60 * Self.minute, limit: 1000)
        }
        #expect(none.count == 0)
    }

    @Test func aDamagedCheckpointIsRefused() {
        var filter = EventIDFilter()
        _ = filter.insert(Self.id(1), scope: 0, now: Self.t0)
        var writer = ByteWriter()
        filter.encode(into: &writer)
        for cut in 0..<writer.bytes.count {
            let refused = Array(writer.bytes.prefix(cut)).withUnsafeBytes { bytes in
                var reader = ByteReader(bytes)
                return (try? EventIDFilter(decoding: &reader, horizon: filter.horizon, limit: filter.limit)) == nil
            }
            #expect(refused, "cut at \(cut)")
        }
    }
}

/// A filter held by reference, so that `#expect` (which cannot take a mutating call) can
/// insert into it.
final class Filter {
    var filter: EventIDFilter

    init(_ filter: EventIDFilter) { self.filter = filter }

    /// Whether test id `number` is new in `scope` at `time` (ms); it is remembered from then.
    func isNew(_ number: Int, scope: Int = 0, at time: Int64) -> Bool {
        filter.insert(EventIDFilterTests.id(number), scope: scope, now: time)
    }
}
