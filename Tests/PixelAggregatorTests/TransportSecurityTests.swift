import PixelAggregator
import PixelCore
import PixelPulseTesting
import Testing
import ZeroMQ

/// CURVE with allowlists on real sockets: an unknown collector cannot add a single count,
/// a listed one can; subscribers likewise when they are listed; lists replaced while
/// running decide every handshake after.
@Suite struct TransportSecurityTests {
    static func batch(sequence: UInt64, views: Int) -> [UInt8] {
        var batch = EventBatch(collector: "edge", sequence: sequence)
        for _ in 0..<views { batch.append(HitEvent(time: Aggregator.wallClock(), kind: .view, campaign: "paid", pixel: "p")) }
        return batch.encoded()
    }

    /// A DEALER with `credentials` (or plain) that sends `frame`, and the first handshake
    /// event its monitor reports.
    static func attempt(
        _ frame: [UInt8], credentials: CurveClientCredentials?, endpoint: String, context: Context
    ) throws -> (SocketEvent, ack: IngestAck?) {
        let dealer = try context.socket(.dealer)
        defer { dealer.close() }
        try dealer.set(.linger, to: .zero)
        try dealer.set(.receiveTimeout, to: .seconds(10))
        if let credentials { try dealer.makeCurveClient(credentials) }
        let monitor = try dealer.monitor(events: [.handshakeSucceeded, .handshakeFailedAuth, .handshakeFailedProtocol])
        defer { monitor.close() }
        try monitor.socket.set(.receiveTimeout, to: .seconds(10))
        try dealer.connect(endpoint)
        try dealer.send(frame)
        let event = try monitor.receive()
        guard case .handshakeSucceeded = event else { return (event, nil) }
        return (event, IngestAck(decoding: try dealer.receive()))
    }

    @Test func onlyAllowlistedCollectorsAndSubscribersGetIn() async throws {
        try #require(LibZMQ.has("curve"))
        let server = try CurveKeyPair.generate()
        let collector = try CurveKeyPair.generate()
        let stranger = try CurveKeyPair.generate()
        let dashboard = try CurveKeyPair.generate()
        var configuration = AggregatorConfiguration(
            ingestEndpoint: "tcp://127.0.0.1:*", feedEndpoint: "tcp://127.0.0.1:*", snapshotEndpoint: "tcp://127.0.0.1:*",
            tickInterval: .milliseconds(20))
        let security = TransportSecurity(
            keyPair: server,
            allowlists: .init(collectors: [collector.publicKey: "edge"], subscribers: [dashboard.publicKey: "dashboard"]))
        configuration.security = security

        try await LiveAggregator.with(configuration) { fixture in
            let endpoint = fixture.endpoints.ingest
            let context = fixture.context
            let refused = try await onSocketThread {
                try Self.attempt(Self.batch(sequence: 1, views: 100), credentials: CurveClientCredentials(keyPair: stranger, serverKey: server.publicKey),
                                 endpoint: endpoint, context: context).0
            }
            #expect(refused.authenticationStatus == 400, "stranger: \(refused)")
            let plain = try await onSocketThread {
                try Self.attempt(Self.batch(sequence: 2, views: 100), credentials: nil, endpoint: endpoint, context: context).0
            }
            #expect(plain.isProtocolFailure, "plain client: \(plain)")
            let member = try await onSocketThread {
                try Self.attempt(Self.batch(sequence: 3, views: 7), credentials: CurveClientCredentials(keyPair: collector, serverKey: server.publicKey),
                                 endpoint: endpoint, context: context)
            }
            #expect(member.ack == IngestAck(sequence: 3, status: .accepted))
            #expect(await fixture.aggregator.counts(campaign: "paid")?[0].views == 7)
            #expect(await fixture.aggregator.statistics.batches == 1)

            // The feed: the listed dashboard hears heartbeats; the collector's key is not a subscriber's.
            let feed = fixture.endpoints.feed
            let heard = try await onSocketThread {
                let sub = try context.socket(.sub)
                defer { sub.close() }
                try sub.set(.linger, to: .zero)
                try sub.set(.receiveTimeout, to: .seconds(10))
                try sub.makeCurveClient(CurveClientCredentials(keyPair: dashboard, serverKey: server.publicKey))
                try sub.subscribe(FeedTopic.heartbeat)
                try sub.connect(feed)
                return try sub.receiveMultipartStrings().first
            }
            #expect(heard == FeedTopic.heartbeat)
            let outsider = try await onSocketThread {
                let sub = try context.socket(.sub)
                defer { sub.close() }
                try sub.set(.linger, to: .zero)
                try sub.makeCurveClient(CurveClientCredentials(keyPair: collector, serverKey: server.publicKey))
                let monitor = try sub.monitor(events: [.handshakeSucceeded, .handshakeFailedAuth])
                defer { monitor.close() }
                try monitor.socket.set(.receiveTimeout, to: .seconds(10))
                try sub.connect(feed)
                return try monitor.receive()
            }
            #expect(outsider.authenticationStatus == 400, "outsider: \(outsider)")

            // New lists decide every handshake from then on: the stranger is listed now, and
            // the collector no longer is.
            security.replaceAllowlists(.init(collectors: [stranger.publicKey: "edge-2"], subscribers: [dashboard.publicKey: "dashboard"]))
            let admitted = try await onSocketThread {
                try Self.attempt(Self.batch(sequence: 4, views: 5), credentials: CurveClientCredentials(keyPair: stranger, serverKey: server.publicKey),
                                 endpoint: endpoint, context: context)
            }
            #expect(admitted.ack == IngestAck(sequence: 4, status: .accepted))
            let dropped = try await onSocketThread {
                try Self.attempt(Self.batch(sequence: 5, views: 100), credentials: CurveClientCredentials(keyPair: collector, serverKey: server.publicKey),
                                 endpoint: endpoint, context: context).0
            }
            #expect(dropped.authenticationStatus == 400, "dropped collector: \(dropped)")
            #expect(await fixture.aggregator.counts(campaign: "paid")?[0].views == 12)
        }
    }
}

extension SocketEvent {
    /// The ZAP status of a refused handshake.
    var authenticationStatus: UInt32? {
        if case .handshakeFailedAuth(_, let status) = self { status } else { nil }
    }

    var isProtocolFailure: Bool {
        if case .handshakeFailedProtocol = self { true } else { false }
    }
}
