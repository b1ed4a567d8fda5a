import PixelCore
import PixelPulseTesting
import Testing

@Suite struct EventBatchWireTests {
    static let t0: Int64 = 1_790_000_000_000

    static func sampleBatch(events: Int = 5, seed: UInt64 = 1) -> EventBatch {
        var rng = SplitMix64(seed: seed)
        var batch = EventBatch(collector: "edge-1", sequence: 42, reportsFates: seed % 2 == 1)
        for i in 0..<events {
            let kind = EventKind.allCases.randomElement(using: &rng)!
            batch.append(
                HitEvent(
                    time: t0 + Int64.random(in: -5000...5000, using: &rng),
                    kind: kind,
                    campaign: CampaignID(unchecked: "c\(Int.random(in: 0..<4, using: &rng))"),
                    pixel: PixelID(unchecked: "p\(i % 7)"),
                    value: kind == .conversion ? UInt64.random(in: 0...HitEvent.maxValue, using: &rng) : nil,
                    visitor: Bool.random(using: &rng) ? rng.next() : nil,
                    eventID: Bool.random(using: &rng) ? EventID(rawValue: rng.next()) : nil,
                    device: DeviceClass.allCases.randomElement(using: &rng)!))
        }
        return batch
    }

    @Test func roundTripsRandomBatches() throws {
        for seed in 0..<200 as Range<UInt64> {
            let batch = Self.sampleBatch(events: Int(seed % 300), seed: seed)
            let decoded = try EventBatch.decode(batch.encoded())
            #expect(decoded == batch)
            #expect(decoded.hits == batch.hits)
        }
    }

    @Test func roundTripsTheLimits() throws {
        var batch = EventBatch(collector: CollectorID(unchecked: String(repeating: "k", count: 64)), sequence: .max)
        let long = String(repeating: "z", count: 64)
        batch.append(HitEvent(time: 0, kind: .conversion, campaign: CampaignID(unchecked: long),
                              pixel: PixelID(unchecked: long), value: HitEvent.maxValue, visitor: .max,
                              eventID: EventID(rawValue: .max), device: .mail))
        batch.append(HitEvent(time: Int64(Int32.max), kind: .view, campaign: "c", pixel: "p"))
        #expect(try EventBatch.decode(batch.encoded()) == batch)
        #expect(!batch.canAppend(HitEvent(time: Int64(Int32.max) + 1, kind: .view, campaign: "c", pixel: "p")))
    }

    @Test func appendsToADecodedBatchReuseNames() throws {
        var decoded = try EventBatch.decode(Self.sampleBatch().encoded())
        let names = decoded.names
        decoded.append(HitEvent(time: Self.t0, kind: .view, campaign: "c1", pixel: "p1"))
        #expect(decoded.names == names)
    }

    @Test func everyTruncationIsAnError() {
        let bytes = Self.sampleBatch(events: 20).encoded()
        for length in 0..<bytes.count {
            #expect(throws: WireError.self) { try EventBatch.decode(Array(bytes.prefix(length))) }
        }
    }

    /// A hand-built header, so that each malformed case says exactly what it breaks.
    static func header(magic: String = "PXPB", version: UInt8 = 1, flags: UInt8 = 0,
                       collector: [UInt8] = Array("edge".utf8), base: Int64 = t0) -> [UInt8] {
        var bytes = Array(magic.utf8) + [version, flags, UInt8(collector.count)] + collector
        bytes += le(UInt64(7)) + le(base)
        return bytes
    }

    static func le<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }

    static let twoNames: [UInt8] = le(UInt16(2)) + [1, 0x63] + [1, 0x70]  // "c", "p"

    static func event(header: UInt8 = 0, campaign: UInt16 = 0, pixel: UInt16 = 1, offset: Int32 = 0) -> [UInt8] {
        [header] + le(campaign) + le(pixel) + le(offset)
    }

    static let malformed: [(String, [UInt8], WireError)] = [
        ("empty", [], .truncated(field: "magic")),
        ("bad magic", header(magic: "GIF8"), .badMagic),
        ("future version", header(version: 4), .unsupportedVersion(4)),
        ("version zero", header(version: 0), .unsupportedVersion(0)),
        ("flags", header(flags: 0x80), .unknownFlags(0x80)),
        ("fates flag in version 1", header(flags: 1), .unknownFlags(1)),
        ("unknown flag in version 2", header(version: 2, flags: 0b11), .unknownFlags(0b11)),
        ("empty collector", header(collector: []), .invalidIdentifier(field: "collector id", .empty)),
        ("long collector", header(collector: Array(repeating: 0x61, count: 65)),
         .invalidIdentifier(field: "collector id", .tooLong(length: 65))),
        ("slash in collector", header(collector: Array("a/b".utf8)),
         .invalidIdentifier(field: "collector id", .invalidByte(0x2f, offset: 1))),
        ("negative base", header(base: -1), .timeOutOfRange(event: 0)),
        ("base after year 9999", header(base: EventBatch.maxTime + 1), .timeOutOfRange(event: 0)),
        ("no name count", header(), .truncated(field: "name count")),
        ("absurd name count", header() + le(UInt16.max), .countOutOfRange(field: "name count", count: 65535)),
        ("name with NUL", header() + le(UInt16(1)) + [1, 0], .invalidIdentifier(field: "name", .invalidByte(0, offset: 0))),
        ("name cut short", header() + le(UInt16(1)) + [5, 0x61], .truncated(field: "identifier")),
        ("no event count", header() + twoNames, .truncated(field: "event count")),
        ("absurd event count", header() + twoNames + le(UInt32.max), .countOutOfRange(field: "event count", count: Int(UInt32.max))),
        ("more events than bytes", header() + twoNames + le(UInt32(3)) + event(),
         .countOutOfRange(field: "event count", count: 3)),
        ("kind 3 (bot) in version 1", header() + twoNames + le(UInt32(1)) + event(header: 3), .unknownKind(event: 0, raw: 3)),
        ("device 6 (server) in version 1", header() + twoNames + le(UInt32(1)) + event(header: 6 << 2),
         .unknownDevice(event: 0, raw: 6)),
        ("device 7", header(version: 2) + twoNames + le(UInt32(1)) + event(header: 7 << 2), .unknownDevice(event: 0, raw: 7)),
        ("campaign index", header() + twoNames + le(UInt32(1)) + event(campaign: 2), .nameIndexOutOfRange(event: 0, index: 2)),
        ("pixel index", header() + twoNames + le(UInt32(1)) + event(pixel: 900), .nameIndexOutOfRange(event: 0, index: 900)),
        ("time before 1970", header(base: 10) + twoNames + le(UInt32(1)) + event(offset: -11), .timeOutOfRange(event: 0)),
        ("missing value", header() + twoNames + le(UInt32(1)) + event(header: 2 | 1 << 5), .truncated(field: "value")),
        ("value over limit", header() + twoNames + le(UInt32(1)) + event(header: 2 | 1 << 5) + le(HitEvent.maxValue + 1),
         .valueOutOfRange(event: 0, value: HitEvent.maxValue + 1)),
        ("missing visitor", header() + twoNames + le(UInt32(1)) + event(header: 1 << 6) + [1, 2], .truncated(field: "visitor")),
        ("missing event id", header() + twoNames + le(UInt32(1)) + event(header: 1 << 7), .truncated(field: "event id")),
        ("trailing bytes", header() + twoNames + le(UInt32(1)) + event() + [0], .trailingBytes(count: 1)),
        ("version 3 without segments", header(version: 3) + twoNames + le(UInt32(1)) + event() + [0, 0, 0, 0, 0, 0, 0],
         .countOutOfRange(field: "event count", count: 1)),
        ("browser 15", header(version: 3) + twoNames + le(UInt32(1)) + event() + segments(browser: 15),
         .unknownSegment(event: 0, field: "browser", raw: 15)),
        ("system 8", header(version: 3) + twoNames + le(UInt32(1)) + event() + segments(os: 8),
         .unknownSegment(event: 0, field: "operating system", raw: 8)),
        ("channel index", header(version: 3) + twoNames + le(UInt32(1)) + event() + segments(channel: 2),
         .nameIndexOutOfRange(event: 0, index: 2)),
        ("referrer index", header(version: 3) + twoNames + le(UInt32(1)) + event() + segments(referrer: 7),
         .nameIndexOutOfRange(event: 0, index: 7)),
        ("lower-case country", header(version: 3) + twoNames + le(UInt32(1)) + event() + segments(country: 0x6564),
         .unknownSegment(event: 0, field: "country", raw: 0x6564)),
    ]

    /// An event's segment bytes (version 3): browser, system, channel, referrer, country.
    static func segments(
        browser: UInt8 = 0, os: UInt8 = 0, channel: UInt16 = EventBatch.noName, referrer: UInt16 = EventBatch.noName,
        country: UInt16 = 0
    ) -> [UInt8] {
        [browser, os] + le(channel) + le(referrer) + le(country)
    }

    @Test(arguments: malformed.indices)
    func malformedInputGivesATypedError(_ index: Int) {
        let (name, bytes, expected) = Self.malformed[index]
        #expect(throws: expected, "\(name)") { try EventBatch.decode(bytes) }
    }

    @Test func wellFormedHandBuiltBatchDecodes() throws {
        let bytes = Self.header() + Self.twoNames + Self.le(UInt32(1)) + Self.event(header: 1, offset: -5)
        let batch = try EventBatch.decode(bytes)
        #expect(batch.collector == "edge")
        #expect(batch.sequence == 7)
        #expect(batch.hits == [HitEvent(time: Self.t0 - 5, kind: .click, campaign: "c", pixel: "p")])
    }

    @Test func writesVersion3WithTheFatesFlag() throws {
        for reportsFates in [false, true] {
            var batch = EventBatch(collector: "edge", sequence: 7, reportsFates: reportsFates)
            batch.append(HitEvent(time: Self.t0, kind: .bot, campaign: "c", pixel: "p", device: .server))
            let bytes = batch.encoded()
            #expect(Array(bytes[4...5]) == [3, reportsFates ? 1 : 0])
            let decoded = try EventBatch.decode(bytes)
            #expect(decoded == batch)
            #expect(decoded.reportsFates == reportsFates)
        }
        var asking = EventBatch(collector: "edge", sequence: 7, reportsFates: true)
        asking.removeAll(nextSequence: 8)
        #expect(asking.reportsFates, "kept for the next batch")
        #expect(asking != EventBatch(collector: "edge", sequence: 8))
    }

    @Test func version2ReadsBotsAndServers() throws {
        let bytes = Self.header(version: 2, flags: 1) + Self.twoNames + Self.le(UInt32(2))
            + Self.event(header: 3 | 6 << 2) + Self.event(header: 0, offset: 1)
        let batch = try EventBatch.decode(bytes)
        #expect(batch.reportsFates)
        #expect(batch.hits == [
            HitEvent(time: Self.t0, kind: .bot, campaign: "c", pixel: "p", device: .server),
            HitEvent(time: Self.t0 + 1, kind: .view, campaign: "c", pixel: "p"),
        ])
    }

    @Test func segmentsTravelWithTheirNamesShared() throws {
        var batch = EventBatch(collector: "edge", sequence: 9)
        let segments = HitSegments(
            browser: .samsungInternet, os: .android, channel: "facebook", referrer: "l.facebook.com", country: CountryCode("de"))
        batch.append(HitEvent(time: Self.t0, kind: .click, campaign: "c", pixel: "p", device: .mobile, segments: segments))
        batch.append(HitEvent(time: Self.t0 + 1, kind: .view, campaign: "c", pixel: "facebook", segments: HitSegments(channel: "facebook")))
        #expect(batch.names == ["c", "p", "facebook", "l.facebook.com"], "a channel and a pixel of one name share it")
        let decoded = try EventBatch.decode(batch.encoded())
        #expect(decoded == batch)
        #expect(decoded.hits[0].segments == segments)
        #expect(decoded.hits[0].segments.country?.description == "DE")
        #expect(decoded.hits[1].segments == HitSegments(channel: "facebook"))
    }

    /// What an earlier release sends: a version-2 frame has no segments.
    @Test func version2HasNoSegments() throws {
        let bytes = Self.header(version: 2) + Self.twoNames + Self.le(UInt32(1)) + Self.event(header: 1 << 2)
        let batch = try EventBatch.decode(bytes)
        #expect(batch.hits == [HitEvent(time: Self.t0, kind: .view, campaign: "c", pixel: "p", device: .desktop)])
        #expect(batch.hits[0].segments == .none)
    }

    /// What the release before sends: a version-1 frame decodes as it always did, and
    /// re-encodes as the current version to the same batch.
    @Test func version1DecodesAsBefore() throws {
        let bytes = Self.header() + Self.twoNames + Self.le(UInt32(2))
            + Self.event(header: 2 | 5 << 2 | 1 << 5) + Self.le(UInt64(1999)) + Self.event(header: 1, offset: -5)
        let batch = try EventBatch.decode(bytes)
        #expect(!batch.reportsFates)
        #expect(batch.hits == [
            HitEvent(time: Self.t0, kind: .conversion, campaign: "c", pixel: "p", value: 1999, device: .mail),
            HitEvent(time: Self.t0 - 5, kind: .click, campaign: "c", pixel: "p"),
        ])
        let again = batch.encoded()
        #expect(again[4] == EventBatch.wireVersion)
        #expect(try EventBatch.decode(again) == batch)
    }

    @Test func randomBytesAndMutationsNeverCrash() throws {
        var rng = SplitMix64(seed: 99)
        let valid = Self.sampleBatch(events: 40).encoded()
        for round in 0..<20_000 {
            var bytes: [UInt8]
            if round % 4 == 0 {
                bytes = (0..<Int.random(in: 0..<200, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            } else {
                bytes = valid
                for _ in 0..<Int.random(in: 1...4, using: &rng) {
                    bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
                }
            }
            // Whatever decodes must survive its own round trip.
            if let batch = try? EventBatch.decode(bytes) {
                #expect(try EventBatch.decode(batch.encoded()) == batch)
            }
        }
    }
}
