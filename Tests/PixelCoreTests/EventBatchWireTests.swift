import PixelCore
import Testing

@Suite struct EventBatchWireTests {
    static let t0: Int64 = 1_790_000_000_000

    static func sampleBatch(events: Int = 5, seed: UInt64 = 1) -> EventBatch {
        var rng = SplitMix64(seed: seed)
        var batch = EventBatch(collector: "edge-1", sequence: 42)
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
        ("future version", header(version: 2), .unsupportedVersion(2)),
        ("version zero", header(version: 0), .unsupportedVersion(0)),
        ("flags", header(flags: 0x80), .unknownFlags(0x80)),
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
        ("device 7", header() + twoNames + le(UInt32(1)) + event(header: 7 << 2), .unknownDevice(event: 0, raw: 7)),
        ("campaign index", header() + twoNames + le(UInt32(1)) + event(campaign: 2), .nameIndexOutOfRange(event: 0, index: 2)),
        ("pixel index", header() + twoNames + le(UInt32(1)) + event(pixel: 900), .nameIndexOutOfRange(event: 0, index: 900)),
        ("time before 1970", header(base: 10) + twoNames + le(UInt32(1)) + event(offset: -11), .timeOutOfRange(event: 0)),
        ("missing value", header() + twoNames + le(UInt32(1)) + event(header: 2 | 1 << 5), .truncated(field: "value")),
        ("value over limit", header() + twoNames + le(UInt32(1)) + event(header: 2 | 1 << 5) + le(HitEvent.maxValue + 1),
         .valueOutOfRange(event: 0, value: HitEvent.maxValue + 1)),
        ("missing visitor", header() + twoNames + le(UInt32(1)) + event(header: 1 << 6) + [1, 2], .truncated(field: "visitor")),
        ("missing event id", header() + twoNames + le(UInt32(1)) + event(header: 1 << 7), .truncated(field: "event id")),
        ("trailing bytes", header() + twoNames + le(UInt32(1)) + event() + [0], .trailingBytes(count: 1)),
    ]

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

@Suite struct IngestAckTests {
    @Test func roundTrips() {
        for status in [IngestAck.Status.accepted, .duplicate, .rejected] {
            let ack = IngestAck(sequence: 0x0102_0304_0506_0708, status: status)
            #expect(ack.encoded().count == IngestAck.byteCount)
            #expect(IngestAck(decoding: ack.encoded()) == ack)
        }
    }

    @Test func refusesOtherFrames() {
        var bytes = IngestAck(sequence: 1, status: .accepted).encoded()
        #expect(IngestAck(decoding: bytes.dropLast()) == nil)
        bytes[4] = 2
        #expect(IngestAck(decoding: bytes) == nil)
        bytes[4] = 1
        bytes[5] = 9
        #expect(IngestAck(decoding: bytes) == nil)
        #expect(IngestAck(decoding: Array("PXPB".utf8)) == nil)
    }
}
