import PixelCore

/// Turns one connection's parsed hits into events in the batcher, and counts them.
///
/// Keep-alive clients repeat the same address and agent, so the visitor hash, the day key
/// and the device class of the last hit are kept and reused.
struct HitRecorder {
    private let services: HTTPServices
    /// The connection's peer, the client address unless `X-Forwarded-For` is trusted.
    var peerAddress = ""
    private var dayKey: VisitorHasher.DayKey?
    private var lastVisitor: (address: String, userAgent: String, day: Int64, hash: UInt64)?
    private var lastDevice: (userAgent: String, device: DeviceClass)?

    init(services: HTTPServices) {
        self.services = services
    }

    /// Counts a rejection, or records the hit in the batcher and counts it accepted or dropped.
    mutating func record(_ parsed: HitRequest.Parsed, headers: HitHeaders) {
        switch parsed {
        case .rejected(let reason):
            services.metrics.countRejection(reason)
        case .hit(let request):
            let time = WallClock.milliseconds()
            let hit = HitEvent(
                time: time, kind: request.kind, campaign: request.campaign, pixel: request.pixel,
                value: request.value, visitor: headers.optedOut ? nil : visitor(headers, time: time),
                eventID: request.eventID, device: device(headers.userAgent))
            switch services.batcher.record(hit) {
            case .accepted: services.metrics.countHit(request.kind)
            case .dropped(let reason): services.metrics.countDropped(reason)
            }
        }
    }

    /// The visitor hash, cached per connection: keep-alive clients repeat the same agent.
    private mutating func visitor(_ headers: HitHeaders, time: Int64) -> UInt64 {
        let day = WallClock.day(ofMilliseconds: time)
        let address = headers.forwardedFor.map(String.init) ?? peerAddress
        if let last = lastVisitor, last.day == day, last.address == address, last.userAgent == headers.userAgent {
            return last.hash
        }
        let key: VisitorHasher.DayKey
        if let dayKey, dayKey.day == day {
            key = dayKey
        } else {
            key = services.visitors.key(forDay: day)
            dayKey = key
        }
        let hash = key.visitor(address: address, userAgent: headers.userAgent)
        lastVisitor = (address, headers.userAgent, day, hash)
        return hash
    }

    /// The device class, cached per connection.
    private mutating func device(_ userAgent: String) -> DeviceClass {
        if let last = lastDevice, last.userAgent == userAgent { return last.device }
        let device = DeviceClassifier.classify(userAgent)
        lastDevice = (userAgent, device)
        return device
    }
}
