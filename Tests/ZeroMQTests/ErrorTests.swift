import Testing
import ZeroMQ

@Suite struct ErrorTests {
    @Test func badEndpointsThrowTypedErrorsWithText() throws {
        let context = try Context()
        let socket = try context.socket(.pull)

        let malformed = #expect(throws: ZMQError.self) { try socket.bind("tcp://no-port-here") }
        #expect(malformed?.message.isEmpty == false)
        #expect(malformed?.description.contains(malformed?.message ?? "?") == true)

        #expect(throws: ZMQError.protocolNotSupported) { try socket.connect("carrier-pigeon://coop") }
        #expect(throws: ZMQError.noSuchEndpoint) { try socket.unbind("tcp://127.0.0.1:1") }
    }

    @Test func bindingATakenPortFails() throws {
        let context = try Context()
        let first = try context.socket(.pull)
        try first.bind("tcp://127.0.0.1:*")
        let second = try context.socket(.pull)
        #expect(throws: ZMQError.addressInUse) { try second.bind(try first.lastEndpoint) }
    }

    @Test func closedSocketsRefuseEveryCall() throws {
        let context = try Context()
        let socket = try context.socket(.push)
        socket.close()
        socket.close()
        #expect(socket.isClosed)
        #expect(throws: ZMQError.notSocket) { try socket.send("x") }
        #expect(throws: ZMQError.notSocket) { try socket.receive() }
        #expect(throws: ZMQError.notSocket) { try socket.get(.linger) }
        #expect(throws: ZMQError.notSocket) { try socket.connect("inproc://x") }
    }

    @Test func namedErrorsMatchLibzmqText() {
        #expect(ZMQError.contextTerminated.message == "Context was terminated")
        #expect(ZMQError.wouldBlock.message == "Resource temporarily unavailable")
        #expect(ZMQError(code: 156_384_765) == .contextTerminated)
    }
}
