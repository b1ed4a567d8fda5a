/// One hit, as a collector records it.
public struct HitEvent: Hashable, Sendable {
    /// Event time, milliseconds since the Unix epoch, stamped by the collector.
    public var time: Int64
    public var kind: EventKind
    public var campaign: CampaignID
    public var pixel: PixelID
    /// Conversion value in minor units (cents), at most ``HitEvent/maxValue``.
    public var value: UInt64?
    /// A salted hash of the visitor, for unique counts; never the address itself.
    public var visitor: UInt64?
    /// The fingerprint of a client-supplied event id, for de-duplication.
    public var eventID: EventID?
    public var device: DeviceClass
    /// Browser, operating system, channel, referrer and country, for segments.
    public var segments: HitSegments

    /// The largest conversion value accepted, in minor units (10¹²: ten billion in a
    /// currency with cents), so that window sums cannot overflow in practice.
    public static let maxValue: UInt64 = 1_000_000_000_000

    /// Creates a hit.
    ///
    /// - Parameters:
    ///   - time: Event time, milliseconds since the Unix epoch.
    ///   - kind: View, click or conversion.
    ///   - campaign: The campaign the pixel belongs to.
    ///   - pixel: The pixel or link that was hit.
    ///   - value: Conversion value in minor units.
    ///   - visitor: Salted visitor hash, for unique counts.
    ///   - eventID: Fingerprint of the client's event id, for de-duplication.
    ///   - device: Device class from the user agent.
    ///   - segments: What else the collector knows of where the hit came from.
    public init(
        time: Int64, kind: EventKind, campaign: CampaignID, pixel: PixelID,
        value: UInt64? = nil, visitor: UInt64? = nil, eventID: EventID? = nil,
        device: DeviceClass = .unknown, segments: HitSegments = .none
    ) {
        self.time = time
        self.kind = kind
        self.campaign = campaign
        self.pixel = pixel
        self.value = value
        self.visitor = visitor
        self.eventID = eventID
        self.device = device
        self.segments = segments
    }
}
