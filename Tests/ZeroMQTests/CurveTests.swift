import Synchronization
import Testing
@testable import ZeroMQ

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

/// A ZAP handler admits the keys it knows and refuses the others, per domain.
@Suite struct ZAPHandlerTests {
    @Test func onlyAllowedClientKeysGetIn() async throws {
        try #require(LibZMQ.has("curve"))
        let context = try Context()
        let server = try CurveKeyPair.generate()
        let known = try CurveKeyPair.generate()
        let stranger = try CurveKeyPair.generate()
        let requests = Mutex<[ZAPHandler.Request]>([])
        let zap = try await ZAPHandler.start(context: context) { request in
            requests.withLock { $0.append(request) }
            return request.clientKey == known.publicKey ? .allow(userID: "known") : .deny("unknown key")
        }
        defer { try? zap.stop() }

        let pull = try context.testSocket(.pull)
        try pull.makeCurveServer(secretKey: server.secretKey)
        try pull.set(.zapDomain, to: "ingest")
        let monitor = try pull.monitor(events: [.handshakeFailedAuth, .handshakeSucceeded])
        try monitor.socket.set(.receiveTimeout, to: .seconds(5))
        let binding = try Binding(pull, .tcp)

        let intruder = try context.testSocket(.push)
        try intruder.makeCurveClient(keyPair: stranger, serverKey: server.publicKey)
        try intruder.connect(binding.endpoint)
        try intruder.send("let me in")
        let refusal = try monitor.receive()
        guard case .handshakeFailedAuth(_, let status) = refusal else {
            Issue.record("expected an authentication failure, got \(refusal)")
            return
        }
        #expect(status == 400)

        let member = try context.testSocket(.push)
        try member.makeCurveClient(keyPair: known, serverKey: server.publicKey)
        try member.connect(binding.endpoint)
        try member.send("hello")
        #expect(try pull.receiveString() == "hello")
        #expect(try pull.tryReceive() == nil, "nothing from the refused client")

        let seen = requests.withLock { $0 }
        #expect(seen.map(\.clientKey) == [stranger.publicKey, known.publicKey])
        #expect(seen.allSatisfy { $0.domain == "ingest" && $0.mechanism == "CURVE" && $0.address == "127.0.0.1" })
    }

    @Test func malformedRequestsAreAnsweredNotTrusted() {
        let allowAll: (ZAPHandler.Request) -> ZAPHandler.Verdict = { _ in .allow(userID: "x") }
        let short = ZAPHandler.reply(to: [Array("1.0".utf8), [7]], allowAll)
        #expect(String(decoding: short[2], as: UTF8.self) == "500")
        #expect(short[1] == [7])
        let badKey = ZAPHandler.reply(
            to: ["1.0", "1", "d", "127.0.0.1", "", "CURVE", "short"].map { Array($0.utf8) }, allowAll)
        #expect(String(decoding: badKey[2], as: UTF8.self) == "400")
    }
}
