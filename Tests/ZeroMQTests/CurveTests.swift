import Testing
import ZeroMQ

@Suite struct CurveTests {
    @Test func keyPairsAreFreshAndRebuildable() throws {
        try #require(LibZMQ.has("curve"))
        let first = try CurveKeyPair.generate()
        let second = try CurveKeyPair.generate()
        #expect(first != second)
        #expect(first.publicKey.z85.utf8.count == 40)
        #expect(first.secretKey.bytes.count == 32)
        #expect(try CurveKeyPair(secretKey: first.secretKey) == first)
        #expect(CurveKey(z85: first.publicKey.z85) == first.publicKey)
        #expect(CurveKey(z85: "too short") == nil)
        #expect(CurveKey(bytes: [1, 2]) == nil)
    }

    @Test func z85MatchesTheRFCExample() {
        // ZMQ RFC 32 test vector.
        let bytes: [UInt8] = [0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B]
        #expect(Z85.encode(bytes) == "HelloWorld")
        #expect(Z85.decode("HelloWorld") == bytes)
        #expect(Z85.encode([1, 2, 3]) == nil)
        #expect(Z85.decode("abc") == nil)
    }

    @Test func encryptedPushPullDelivers() throws {
        let context = try Context()
        let server = try CurveKeyPair.generate()
        let pull = try context.testSocket(.pull)
        try pull.makeCurveServer(secretKey: server.secretKey)
        let monitor = try pull.monitor(events: .handshakeSucceeded)
        try monitor.socket.set(.receiveTimeout, to: .seconds(5))
        let binding = try Binding(pull, .tcp)

        let push = try context.testSocket(.push)
        try push.makeCurveClient(keyPair: try CurveKeyPair.generate(), serverKey: server.publicKey)
        try push.connect(binding.endpoint)
        try push.send(["secret", "batch"])

        #expect(try pull.receiveMultipartStrings() == ["secret", "batch"])
        if case .handshakeSucceeded = try monitor.receive() {} else { Issue.record("no handshake event") }
    }

    @Test func wrongServerKeyDeliversNothing() throws {
        let context = try Context()
        let server = try CurveKeyPair.generate()
        let pull = try context.testSocket(.pull)
        try pull.makeCurveServer(secretKey: server.secretKey)
        let monitor = try pull.monitor(events: [.handshakeFailedProtocol, .handshakeSucceeded])
        try monitor.socket.set(.receiveTimeout, to: .seconds(5))
        let binding = try Binding(pull, .tcp)

        let push = try context.testSocket(.push)
        let impostor = try CurveKeyPair.generate()
        try push.makeCurveClient(keyPair: try CurveKeyPair.generate(), serverKey: impostor.publicKey)
        try push.connect(binding.endpoint)
        try push.send("should never arrive")

        // The server cannot open the client's HELLO: the real signal that delivery failed.
        let event = try monitor.receive()
        guard case .handshakeFailedProtocol(_, let code) = event else {
            Issue.record("expected a failed handshake, got \(event)")
            return
        }
        #expect(code == 0x1100_0001, "ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC")
        #expect(try pull.tryReceive() == nil)
    }
}
