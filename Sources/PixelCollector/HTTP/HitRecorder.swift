import PixelCore

/// Turns one connection's parsed hits into events in the batcher, and counts them.
///
/// A hit from a bot (a user agent ``DeviceClassifier`` classes ``DeviceClass/bot``, or a
/// prefetch the caller names) is recorded as ``EventKind/bot`` whatever it asked for,
/// without value, event id or visitor hash: crawlers and link previewers are counted apart,
/// never as views, clicks or conversions, and never as visitors.
///
/// Every hit carries its segments: browser and operating system (``UserAgentParser``),
/// channel and referring host (``ChannelRules``), and with a ``CountryDatabase`` the
/// client's country (looked up whether or not the visitor opted out: a country names no one).
///
/// Keep-alive clients repeat the same address and agent, so the visitor hash, the day key
/// and the agent's traits of the last hit are kept and reused.
struct HitRecorder {
    /// The route a hit came in on, the `route` label of `pixelpulse_collector_bots_total`.
    enum Source: String, CaseIterable, Sendable {
        case pixel, beacon, link
    }

    private let services: HTTPServices
    /// The connection's peer, the client address unless `X-Forwarded-For` is trusted.
    var peerAddress = ""
    private var dayKey: VisitorHasher.DayKey?
    private var lastVisitor: (address: String, userAgent: String, day: Int64, hash: UInt64)?
    private var lastAgent: (userAgent: String, traits: AgentTraits)?
    private var lastCountry: (address: String, country: CountryCode?)?

    init(services: HTTPServices) {
        self.services = services
    }

    /// Counts a rejection, or records the hit.
    mutating func record(_ parsed: HitRequest.Parsed, headers: HitHeaders, from source: Source) {
        switch parsed {
        case .rejected(let reason):
            services.metrics.countRejection(reason)
        case .hit(let request):
            record(request, headers: headers, from: source)
        }
    }

    /// Records a hit in the batcher, as a bot's if its agent is one's or `asBot`, and counts
    /// it accepted or dropped.
    mutating func record(
        _ request: HitRequest, headers: HitHeaders, from source: Source, asBot: Bool = false, at time: Int64 = WallClock.milliseconds()
    ) {
        let agent = traits(headers.userAgent)
        let segments = HitSegments(
            browser: agent.browser, os: agent.os,
            channel: ChannelRules.channel(source: request.source, medium: request.medium, referrer: request.referrer),
            referrer: request.referrer, country: country(headers))
        let hit: HitEvent
        if asBot || agent.device == .bot {
            hit = HitEvent(
                time: time, kind: .bot, campaign: request.campaign, pixel: request.pixel, device: agent.device,
                segments: segments)
        } else {
            hit = HitEvent(
                time: time, kind: request.kind, campaign: request.campaign, pixel: request.pixel,
                value: request.value, visitor: headers.optedOut ? nil : visitor(headers, time: time),
                eventID: request.eventID, device: agent.device, segments: segments)
        }
        switch services.batcher.record(hit) {
        case .accepted:
            services.metrics.countHit(hit.kind)
            if hit.kind == .bot { services.metrics.countBot(from: source) }
        case .dropped(let reason):
            services.metrics.countDropped(reason)
        }
    }

    /// Whether the agent is a bot's, by ``DeviceClassifier``.
    mutating func isBot(_ headers: HitHeaders) -> Bool {
        traits(headers.userAgent).device == .bot
    }

    /// The visitor hash, cached per connection: keep-alive clients repeat the same agent.
    private mutating func visitor(_ headers: HitHeaders, time: Int64) -> UInt64 {
        let day = WallClock.day(ofMilliseconds: time)
        let address = clientAddress(headers)
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

    /// The client's address: the peer's, or the first of a trusted `X-Forwarded-For`.
    private func clientAddress(_ headers: HitHeaders) -> String {
        headers.forwardedFor.map(String.init) ?? peerAddress
    }

    /// The client's country, from its address, cached per connection (a proxy's
    /// connection carries many clients, so the cache is keyed by the address).
    private mutating func country(_ headers: HitHeaders) -> CountryCode? {
        guard let countries = services.countries else { return nil }
        let address = clientAddress(headers)
        if let last = lastCountry, last.address == address { return last.country }
        let country = countries.country(of: address)
        lastCountry = (address, country)
        return country
    }

    /// Device class, browser and operating system, cached per connection.
    private mutating func traits(_ userAgent: String) -> AgentTraits {
        if let last = lastAgent, last.userAgent == userAgent { return last.traits }
        let traits = UserAgentParser.parse(userAgent)
        lastAgent = (userAgent, traits)
        return traits
    }
}
