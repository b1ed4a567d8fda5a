/// The ingest wire format, version 3 (versions 1 and 2 are read too).
///
/// All integers are little-endian. A batch is one ZeroMQ frame:
///
/// | field            | size        | notes                                             |
/// |------------------|-------------|---------------------------------------------------|
/// | magic            | 4           | ASCII `PXPB`                                      |
/// | version          | 1           | `3` (`1`, `2` from producers of earlier releases) |
/// | flags            | 1           | bit 0: report per-event fates (version ≥ 2); other bits `0` |
/// | collector length | 1           | 1…64                                              |
/// | collector id     | n           | identifier bytes                                  |
/// | sequence         | 8           | u64, per collector                                |
/// | base time        | 8           | i64 ms since the Unix epoch                       |
/// | name count       | 2           | u16                                               |
/// | names            | Σ(1 + n)    | each: u8 length 1…64, identifier bytes            |
/// | event count      | 4           | u32, at most 65 536                               |
/// | events           | 17…41 each  | see below                                         |
///
/// Each event: a header byte (bits 0–1 kind: 0 view, 1 click, 2 conversion, 3 bot; bits 2–4
/// device class; bit 5 value present; bit 6 visitor present; bit 7 event id present),
/// campaign name index (u16), pixel name index (u16), time offset from the base time
/// (i32 ms), then the present optional fields in order: value (u64 minor units, at most
/// 10¹²), visitor hash (u64), event id fingerprint (u64), and last the segments: browser
/// (u8, a `BrowserFamily`), operating system (u8, an `OperatingSystem`), channel and
/// referrer name indices (u16 each, `0xFFFF` for none) and country (two ASCII capitals,
/// first in the low byte; `0` for none). Nothing may follow the last event.
///
/// Version 2 is version 3 without the segments.
/// Version 1 is version 2 without what came after it: flags must be `0`, and kind 3 (bot)
/// and device class 6 (server) are refused, so a version-1 frame decodes as it always did.
extension EventBatch {
    /// The four bytes every batch starts with.
    public static let magic: [UInt8] = Array("PXPB".utf8)
    /// The format version this build writes.
    public static let wireVersion: UInt8 = 3
    /// The oldest format version this build reads.
    public static let oldestWireVersion: UInt8 = 1
    /// Flags bit 0 (version 2): the batch asks for per-event fates.
    static let reportsFatesFlag: UInt8 = 1
    /// Latest event time the format accepts (the year 9999), in ms since the Unix epoch.
    public static let maxTime: Int64 = 253_402_300_799_999

    static let eventHeaderSize = 9
    /// The segments' bytes at the end of each event (version 3).
    static let segmentsSize = 8

    /// Appends the encoded batch to `bytes`.
    public func encode(into bytes: inout [UInt8]) {
        var writer = ByteWriter(bytes: bytes)
        bytes = []  // hand the buffer to the writer without a copy
        writer.bytes.reserveCapacity(writer.bytes.count + 64 + names.count * 16 + events.count * 25)
        writer.write(contentsOf: Self.magic)
        writer.write(Self.wireVersion)
        writer.write(reportsFates ? Self.reportsFatesFlag : 0)
        writer.write(UInt8(collector.rawValue.utf8.count))
        writer.write(contentsOf: collector.rawValue.utf8)
        writer.write(sequence)
        // Any batch that decodes spans under 2³² ms; this base keeps every offset in an i32.
        var (low, high) = (events.first?.time ?? 0, events.first?.time ?? 0)
        for event in events {
            low = min(low, event.time)
            high = max(high, event.time)
        }
        let base = low + min(high - low, Int64(1) << 31)
        writer.write(base)
        writer.write(UInt16(names.count))
        for name in names {
            writer.write(UInt8(name.utf8.count))
            writer.write(contentsOf: name.utf8)
        }
        writer.write(UInt32(events.count))
        for event in events {
            writer.write(event.kind.rawValue | event.device.rawValue << 2 | event.presence.rawValue)
            writer.write(event.campaign)
            writer.write(event.pixel)
            writer.write(Int32(event.time - base))
            if event.presence.contains(.value) { writer.write(event.value) }
            if event.presence.contains(.visitor) { writer.write(event.visitor) }
            if event.presence.contains(.eventID) { writer.write(event.eventID) }
            writer.write(event.browser.rawValue)
            writer.write(event.os.rawValue)
            writer.write(event.channel)
            writer.write(event.referrer)
            writer.write(event.country)
        }
        bytes = writer.bytes
    }

    /// The encoded batch.
    public func encoded() -> [UInt8] {
        var bytes: [UInt8] = []
        encode(into: &bytes)
        return bytes
    }

    /// Decodes a batch from untrusted bytes.
    ///
    /// Never reads out of bounds and never traps: every malformed input throws.
    /// - Throws: ``WireError`` naming the first problem.
    public static func decode(_ bytes: UnsafeRawBufferPointer) throws(WireError) -> EventBatch {
        var reader = ByteReader(bytes)
        let magic = try reader.read(count: 4, "magic")
        guard magic.elementsEqual(Self.magic) else { throw .badMagic }
        let version = try reader.read(UInt8.self, "version")
        guard (oldestWireVersion...wireVersion).contains(version) else { throw .unsupportedVersion(version) }
        let flags = try reader.read(UInt8.self, "flags")
        let knownFlags = version >= 2 ? reportsFatesFlag : 0
        guard flags & ~knownFlags == 0 else { throw .unknownFlags(flags) }
        let collector = CollectorID(unchecked: try readIdentifier(&reader, field: "collector id"))
        let sequence = try reader.read(UInt64.self, "sequence")
        let base = try reader.read(Int64.self, "base time")
        guard base >= 0, base <= maxTime else { throw .timeOutOfRange(event: 0) }

        let nameCount = Int(try reader.read(UInt16.self, "name count"))
        guard nameCount * 2 <= reader.remaining else {
            throw .countOutOfRange(field: "name count", count: nameCount)
        }
        var names: [String] = []
        names.reserveCapacity(nameCount)
        for _ in 0..<nameCount {
            names.append(try readIdentifier(&reader, field: "name"))
        }

        let eventCount = Int(try reader.read(UInt32.self, "event count"))
        let eventSize = eventHeaderSize + (version >= 3 ? segmentsSize : 0)
        guard eventCount <= maxEvents, eventCount * eventSize <= reader.remaining else {
            throw .countOutOfRange(field: "event count", count: eventCount)
        }
        var events: [Event] = []
        events.reserveCapacity(eventCount)
        for index in 0..<eventCount {
            events.append(try readEvent(&reader, index: index, base: base, nameCount: nameCount, version: version))
        }
        guard reader.remaining == 0 else { throw .trailingBytes(count: reader.remaining) }
        return EventBatch(
            collector: collector, sequence: sequence, reportsFates: flags & reportsFatesFlag != 0, names: names, events: events)
    }

    /// Decodes a batch from untrusted bytes.
    ///
    /// - Throws: ``WireError`` naming the first problem.
    public static func decode(_ bytes: [UInt8]) throws(WireError) -> EventBatch {
        try bytes.withUnsafeBytes { buffer in Result { () throws(WireError) in try decode(buffer) } }.get()
    }

    @inline(__always)
    private static func readEvent(
        _ reader: inout ByteReader, index: Int, base: Int64, nameCount: Int, version: UInt8
    ) throws(WireError) -> Event {
        let header = try reader.read(UInt8.self, "event header")
        guard let kind = EventKind(rawValue: header & 0b11), version >= 2 || kind != .bot else {
            throw .unknownKind(event: index, raw: header & 0b11)
        }
        guard let device = DeviceClass(rawValue: (header >> 2) & 0b111), version >= 2 || device != .server else {
            throw .unknownDevice(event: index, raw: (header >> 2) & 0b111)
        }
        let presence = Event.Presence(rawValue: header & 0b1110_0000)
        let campaign = try reader.read(UInt16.self, "campaign index")
        let pixel = try reader.read(UInt16.self, "pixel index")
        guard Int(campaign) < nameCount, Int(pixel) < nameCount else {
            throw .nameIndexOutOfRange(event: index, index: Int(max(campaign, pixel)))
        }
        let time = base + Int64(try reader.read(Int32.self, "time offset"))
        guard time >= 0, time <= maxTime else { throw .timeOutOfRange(event: index) }
        var value: UInt64 = 0
        var visitor: UInt64 = 0
        var eventID: UInt64 = 0
        if presence.contains(.value) {
            value = try reader.read(UInt64.self, "value")
            guard value <= HitEvent.maxValue else { throw .valueOutOfRange(event: index, value: value) }
        }
        if presence.contains(.visitor) { visitor = try reader.read(UInt64.self, "visitor") }
        if presence.contains(.eventID) { eventID = try reader.read(UInt64.self, "event id") }
        var event = Event(
            time: time, value: value, visitor: visitor, eventID: eventID, campaign: campaign,
            pixel: pixel, kind: kind, device: device, presence: presence)
        if version >= 3 { try readSegments(&reader, into: &event, index: index, nameCount: nameCount) }
        return event
    }

    @inline(__always)
    private static func readSegments(
        _ reader: inout ByteReader, into event: inout Event, index: Int, nameCount: Int
    ) throws(WireError) {
        let browser = try reader.read(UInt8.self, "browser")
        guard let family = BrowserFamily(rawValue: browser) else { throw .unknownSegment(event: index, field: "browser", raw: Int(browser)) }
        let os = try reader.read(UInt8.self, "operating system")
        guard let system = OperatingSystem(rawValue: os) else { throw .unknownSegment(event: index, field: "operating system", raw: Int(os)) }
        let channel = try reader.read(UInt16.self, "channel index")
        let referrer = try reader.read(UInt16.self, "referrer index")
        for name in [channel, referrer] where name != noName && Int(name) >= nameCount {
            throw .nameIndexOutOfRange(event: index, index: Int(name))
        }
        let country = try reader.read(UInt16.self, "country")
        guard country == 0 || CountryCode(rawValue: country) != nil else {
            throw .unknownSegment(event: index, field: "country", raw: Int(country))
        }
        (event.browser, event.os, event.channel, event.referrer, event.country) = (family, system, channel, referrer, country)
    }

    private static func readIdentifier(_ reader: inout ByteReader, field: String) throws(WireError) -> String {
        let length = Int(try reader.read(UInt8.self, "identifier length"))
        let bytes = try reader.read(count: length, "identifier")
        do {
            try IdentifierRules.validate(bytes)
        } catch {
            throw .invalidIdentifier(field: field, error)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
