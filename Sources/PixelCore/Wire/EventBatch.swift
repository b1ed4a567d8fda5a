/// A batch of hits from one collector: the unit of ingest.
///
/// Campaign and pixel ids are stored once per batch in ``names`` and referenced by index
/// from each ``Event``, so a receiver can intern every id once per batch instead of once
/// per event. Build batches with ``append(_:)``; send them with ``encode(into:)`` and read
/// them with ``decode(_:)`` (see `EventBatch+Wire.swift` for the format).
public struct EventBatch: Sendable, Equatable {
    /// One hit inside a batch, with ids as indices into ``EventBatch/names``.
    public struct Event: Sendable, Equatable {
        /// Event time, milliseconds since the Unix epoch.
        public var time: Int64
        public var value: UInt64
        public var visitor: UInt64
        public var eventID: UInt64
        public var campaign: UInt16
        public var pixel: UInt16
        public var kind: EventKind
        public var device: DeviceClass
        public var browser: BrowserFamily = .unknown
        public var os: OperatingSystem = .unknown
        /// Name indices of the channel and the referrer, ``EventBatch/noName`` for none.
        public var channel: UInt16 = EventBatch.noName
        public var referrer: UInt16 = EventBatch.noName
        /// ``CountryCode/rawValue``, 0 for none.
        public var country: UInt16 = 0
        /// Which of ``value``, ``visitor`` and ``eventID`` are present.
        public var presence: Presence

        /// Which optional fields an event carries; the bits match the wire format.
        public struct Presence: OptionSet, Sendable, Equatable {
            public let rawValue: UInt8
            public init(rawValue: UInt8) { self.rawValue = rawValue }
            public static let value = Presence(rawValue: 1 << 5)
            public static let visitor = Presence(rawValue: 1 << 6)
            public static let eventID = Presence(rawValue: 1 << 7)
        }
    }

    /// The collector that produced the batch.
    public var collector: CollectorID
    /// The collector's batch sequence number; with ``collector`` it identifies the batch.
    public var sequence: UInt64
    /// Whether the collector asks for each event's ``EventFate`` in the acknowledgement
    /// (wire version 2), to tell its clients what became of each hit.
    public var reportsFates: Bool
    /// The distinct campaign and pixel ids the events refer to.
    public private(set) var names: [String]
    /// The hits, in the order they were appended.
    public private(set) var events: [Event]

    /// The most names a batch can hold (indices are 16 bits; the last means "none").
    public static let maxNames = Int(UInt16.max)
    /// The name index that stands for no name (an event without channel or referrer).
    public static let noName = UInt16.max
    /// The most names one hit adds: campaign, pixel, channel, referrer.
    static let namesPerHit = 4
    /// The most events a batch can hold.
    public static let maxEvents = 65_536

    private var nameIndex: [String: UInt16] = [:]

    /// Creates an empty batch.
    ///
    /// - Parameter reportsFates: Whether to ask for each event's ``EventFate`` in the
    ///   acknowledgement.
    public init(collector: CollectorID, sequence: UInt64, reportsFates: Bool = false) {
        self.collector = collector
        self.sequence = sequence
        self.reportsFates = reportsFates
        self.names = []
        self.events = []
    }

    init(collector: CollectorID, sequence: UInt64, reportsFates: Bool, names: [String], events: [Event]) {
        self.collector = collector
        self.sequence = sequence
        self.reportsFates = reportsFates
        self.names = names
        self.events = events
    }

    /// Whether the batch holds no events.
    public var isEmpty: Bool { events.isEmpty }
    /// The number of events.
    public var count: Int { events.count }

    /// Whether ``append(_:)`` would accept `hit` without exceeding a limit of the format:
    /// the event count, the name count, or times more than 2³¹ ms (24 days) apart.
    public func canAppend(_ hit: HitEvent) -> Bool {
        guard events.count < Self.maxEvents, names.count + Self.namesPerHit <= Self.maxNames else { return false }
        guard let first = events.first else { return true }
        return abs(hit.time - first.time) <= Int64(Int32.max)
    }

    /// Appends a hit.
    ///
    /// - Precondition: ``canAppend(_:)`` is true, the time is within
    ///   `0...`` ``EventBatch/maxTime`` and the value at most ``HitEvent/maxValue``.
    public mutating func append(_ hit: HitEvent) {
        precondition(canAppend(hit), "batch is full")
        precondition((0...Self.maxTime).contains(hit.time), "hit time out of range")
        precondition((hit.value ?? 0) <= HitEvent.maxValue, "hit value over the limit")
        var presence: Event.Presence = []
        if hit.value != nil { presence.insert(.value) }
        if hit.visitor != nil { presence.insert(.visitor) }
        if hit.eventID != nil { presence.insert(.eventID) }
        let segments = hit.segments
        events.append(
            Event(
                time: hit.time, value: hit.value ?? 0, visitor: hit.visitor ?? 0,
                eventID: hit.eventID?.rawValue ?? 0,
                campaign: intern(hit.campaign.rawValue), pixel: intern(hit.pixel.rawValue),
                kind: hit.kind, device: hit.device, browser: segments.browser, os: segments.os,
                channel: segments.channel.map { intern($0.rawValue) } ?? Self.noName,
                referrer: segments.referrer.map { intern($0.rawValue) } ?? Self.noName,
                country: segments.country?.rawValue ?? 0, presence: presence))
    }

    /// The hit at `index`, with its ids resolved.
    public func hit(at index: Int) -> HitEvent {
        let event = events[index]
        return HitEvent(
            time: event.time, kind: event.kind,
            campaign: CampaignID(unchecked: names[Int(event.campaign)]),
            pixel: PixelID(unchecked: names[Int(event.pixel)]),
            value: event.presence.contains(.value) ? event.value : nil,
            visitor: event.presence.contains(.visitor) ? event.visitor : nil,
            eventID: event.presence.contains(.eventID) ? EventID(rawValue: event.eventID) : nil,
            device: event.device,
            segments: HitSegments(
                browser: event.browser, os: event.os, channel: segmentValue(event.channel),
                referrer: segmentValue(event.referrer), country: CountryCode(rawValue: event.country)))
    }

    /// The channel or referrer a name index names.
    public func segmentValue(_ index: UInt16) -> SegmentValue? {
        index == Self.noName ? nil : SegmentValue(unchecked: names[Int(index)])
    }

    /// Every hit, with ids resolved.
    public var hits: [HitEvent] { events.indices.map(hit(at:)) }

    /// Empties the batch for reuse under a new sequence number, keeping its capacity and
    /// ``reportsFates``.
    public mutating func removeAll(nextSequence: UInt64) {
        sequence = nextSequence
        names.removeAll(keepingCapacity: true)
        events.removeAll(keepingCapacity: true)
        nameIndex.removeAll(keepingCapacity: true)
    }

    private mutating func intern(_ name: String) -> UInt16 {
        if nameIndex.count != names.count {  // a decoded batch builds its index on first use
            nameIndex = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, UInt16($0)) })
        }
        if let index = nameIndex[name] { return index }
        let index = UInt16(names.count)
        names.append(name)
        nameIndex[name] = index
        return index
    }

    public static func == (lhs: EventBatch, rhs: EventBatch) -> Bool {
        lhs.collector == rhs.collector && lhs.sequence == rhs.sequence && lhs.reportsFates == rhs.reportsFates
            && lhs.names == rhs.names && lhs.events == rhs.events
    }
}
