import Testing
import ZeroMQ

@Suite struct MonitorTests {
    @Test func seesListeningAcceptedConnectedAndStopped() throws {
        let context = try Context()
        let pull = try context.testSocket(.pull)
        let serverEvents = try pull.monitor()
        try serverEvents.socket.set(.receiveTimeout, to: .seconds(5))
        let binding = try Binding(pull, .tcp)

        let push = try context.testSocket(.push)
        let clientEvents = try push.monitor(events: [.connected, .handshakeSucceeded])
        try clientEvents.socket.set(.receiveTimeout, to: .seconds(5))
        try push.connect(binding.endpoint)

        #expect(try serverEvents.receive() == .listening(endpoint: binding.endpoint))
        let accepted = try serverEvents.receive(until: { if case .accepted = $0 { true } else { false } })
        #expect(accepted.endpoint == binding.endpoint)
        #expect(try clientEvents.receive() == .connected(endpoint: binding.endpoint))
        #expect(try clientEvents.receive() == .handshakeSucceeded(endpoint: binding.endpoint))

        pull.close()
        #expect(try serverEvents.receive(until: { $0 == .monitorStopped }) == .monitorStopped)
        #expect(try serverEvents.tryReceive() == nil)
    }

    @Test func decodesRawEvents() {
        #expect(SocketEvent(id: 0x0200, value: 9, endpoint: "tcp://a:1") == .disconnected(endpoint: "tcp://a:1"))
        #expect(SocketEvent(id: 0x0004, value: 100, endpoint: "e") == .connectRetried(endpoint: "e", after: .milliseconds(100)))
        #expect(SocketEvent(id: 0x4000, value: 400, endpoint: "e") == .handshakeFailedAuth(endpoint: "e", statusCode: 400))
        #expect(SocketEvent(id: 0x8000, value: 1, endpoint: "e") == .unknown(id: 0x8000, value: 1, endpoint: "e"))
        #expect(SocketEvent.monitorStopped.endpoint == nil)
    }
}
