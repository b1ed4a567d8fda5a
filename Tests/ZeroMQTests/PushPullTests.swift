import Testing
import ZeroMQ

@Suite struct PushPullTests {
    @Test(arguments: Transport.allCases)
    func multipartRoundTrip(transport: Transport) throws {
        let context = try Context()
        let pull = try context.testSocket(.pull)
        let binding = try Binding(pull, transport)
        let push = try context.testSocket(.push)
        try push.connect(binding.endpoint)

        let frames: [[UInt8]] = [[UInt8]("topic"), [], [UInt8](repeating: 7, count: 10_000), [0, 1, 2]]
        try push.send(frames)
        try push.send(["a", "bc"])

        #expect(try pull.receiveMultipart() == frames)
        #expect(try pull.receiveMultipartStrings() == ["a", "bc"])
    }

    @Test func reusedArrayKeepsItsStorage() throws {
        let context = try Context()
        let pull = try context.testSocket(.pull)
        let binding = try Binding(pull, .inproc)
        let push = try context.testSocket(.push)
        try push.connect(binding.endpoint)

        var buffer = [UInt8]()
        buffer.reserveCapacity(64)
        let storage = buffer.withUnsafeBytes { $0.baseAddress }
        for index in 0..<100 {
            try push.send([UInt8](repeating: UInt8(index), count: 1 + index % 64))
            try pull.receive(into: &buffer)
            #expect(buffer == [UInt8](repeating: UInt8(index), count: 1 + index % 64))
        }
        #expect(buffer.withUnsafeBytes { $0.baseAddress } == storage)
    }

    @Test func receiveIntoMessageAndRawBuffer() throws {
        let context = try Context()
        let pull = try context.testSocket(.pull)
        let binding = try Binding(pull, .tcp)
        let push = try context.testSocket(.push)
        try push.connect(binding.endpoint)

        let outgoing = Message("zero-copy")
        try push.send(outgoing, more: true)
        #expect(outgoing.count == 0)
        try push.send([UInt8]("0123456789"))

        let message = Message()
        try pull.receive(message)
        #expect(message.string == "zero-copy")
        #expect(message.hasMore)
        #expect(message.metadata("Socket-Type") == "PUSH")

        var storage = [UInt8](repeating: 0, count: 4)
        let size = try storage.withUnsafeMutableBytes { try pull.receive(into: $0) }
        #expect(size == 10)
        #expect(storage == [UInt8]("0123"))
        #expect(try pull.hasMore == false)
    }

    @Test func spanAndStringSend() throws {
        let context = try Context()
        let pull = try context.testSocket(.pull)
        let binding = try Binding(pull, .inproc)
        let push = try context.testSocket(.push)
        try push.connect(binding.endpoint)

        let bytes: [UInt8] = [1, 2, 3]
        try push.send(bytes.span.bytes)
        try push.send("héllo")
        #expect(try pull.receive() == bytes)
        #expect(try pull.receiveString() == "héllo")
    }

    @Test func nonBlockingCallsAnswerInsteadOfThrowing() throws {
        let context = try Context()
        let pull = try context.testSocket(.pull)
        let binding = try Binding(pull, .inproc)
        var buffer: [UInt8] = [9]
        #expect(try pull.tryReceive() == nil)
        #expect(try pull.tryReceiveString() == nil)
        #expect(try pull.tryReceiveMultipart() == nil)
        #expect(try pull.tryReceive(into: &buffer) == false)
        #expect(buffer == [9])
        #expect(try pull.tryReceive(Message()) == false)

        let push = try context.testSocket(.push)
        #expect(try push.trySend([1]) == false, "no peer yet")
        try push.connect(binding.endpoint)
        #expect(try push.trySend([[1], [2]]))
        #expect(try pull.tryReceiveMultipart() == [[1], [2]])
    }

    @Test func blockingReceiveTimesOutWithWouldBlock() throws {
        let context = try Context()
        let pull = try context.socket(.pull)
        try pull.set(.receiveTimeout, to: .milliseconds(10))
        #expect(throws: ZMQError.wouldBlock) { try pull.receive() }
    }
}
