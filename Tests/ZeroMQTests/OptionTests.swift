import Testing
import ZeroMQ

@Suite struct OptionTests {
    @Test func valuesRoundTrip() throws {
        let context = try Context()
        let socket = try context.socket(.dealer)

        try socket.set(.sendHighWaterMark, to: 50_000)
        try socket.set(.receiveHighWaterMark, to: 0)
        #expect(try socket.get(.sendHighWaterMark) == 50_000)
        #expect(try socket.get(.receiveHighWaterMark) == 0)

        #expect(try socket.get(.linger) == nil, "libzmq's default waits forever")
        try socket.set(.linger, to: .milliseconds(250))
        #expect(try socket.get(.linger) == .milliseconds(250))
        try socket.set(.linger, to: .zero)
        #expect(try socket.get(.linger) == .zero)

        try socket.set(.sendTimeout, to: .seconds(2))
        try socket.set(.receiveTimeout, to: nil)
        #expect(try socket.get(.sendTimeout) == .seconds(2))
        #expect(try socket.get(.receiveTimeout) == nil)

        try socket.set(.heartbeatInterval, to: .milliseconds(500))
        try socket.set(.heartbeatTimeToLive, to: .seconds(3))
        try socket.set(.heartbeatTimeout, to: .milliseconds(1500))
        #expect(try socket.get(.heartbeatInterval) == .milliseconds(500))
        #expect(try socket.get(.heartbeatTimeToLive) == .seconds(3))
        #expect(try socket.get(.heartbeatTimeout) == .milliseconds(1500))

        #expect(try socket.get(.immediate) == false)
        try socket.set(.immediate, to: true)
        #expect(try socket.get(.immediate))

        try socket.set(.zapDomain, to: "pixelpulse")
        #expect(try socket.get(.zapDomain) == "pixelpulse")
        try socket.set(.routingID, to: [1, 2, 3])
        #expect(try socket.get(.routingID) == [1, 2, 3])

        let keys = try CurveKeyPair.generate()
        try socket.makeCurveClient(keyPair: keys, serverKey: keys.publicKey)
        #expect(try socket.get(.curvePublicKey) == keys.publicKey)
        #expect(try socket.get(.curveServerKey) == keys.publicKey)
        #expect(try socket.get(.curveServer) == false)

        #expect(try socket.hasMore == false)
        #expect(try socket.events.isEmpty)
    }

    @Test func lastEndpointGivesTheRealPort() throws {
        let context = try Context()
        let socket = try context.socket(.pull)
        try socket.bind("tcp://127.0.0.1:*")
        let endpoint = try socket.lastEndpoint
        #expect(endpoint.hasPrefix("tcp://127.0.0.1:"))
        let port = Int(endpoint.split(separator: ":").last ?? "")
        #expect(port.map { $0 > 0 } == true)
    }

    @Test func writeOnlyOptionsSet() throws {
        let context = try Context()
        try context.socket(.router).set(.routerMandatory, to: true)
        try context.socket(.xpub).set(.xpubVerbose, to: true)
    }

    @Test func badValuesThrowInvalidArgument() throws {
        let context = try Context()
        let socket = try context.socket(.push)
        #expect(throws: ZMQError.invalidArgument) { try socket.set(.sendHighWaterMark, to: Int.max) }
        #expect(throws: ZMQError.invalidArgument) { try socket.set(.linger, to: .milliseconds(-5)) }
        #expect(throws: ZMQError.invalidArgument) { try socket.subscribe("x") }
    }
}
