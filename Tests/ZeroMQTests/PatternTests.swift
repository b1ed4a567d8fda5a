import Testing
import ZeroMQ

@Suite struct PatternTests {
    @Test func subscriberGetsOnlyItsPrefixes() throws {
        let context = try Context()
        let pub = try context.testSocket(.pub)
        let binding = try Binding(pub, .tcp)
        let sub = try context.testSocket(.sub)
        try sub.subscribe("c.1.")
        try sub.subscribe("sync")
        try sub.subscribe("end")
        try sub.connect(binding.endpoint)

        // PUB drops until the subscriptions arrive (in order, on one connection): repeat a
        // probe until it gets through, then the earlier ones are in force too.
        let poller = Poller()
        poller.register(sub)
        repeat {
            try pub.send(["sync", ""])
        } while try poller.poll(timeout: .milliseconds(20)) == 0
        #expect(try sub.receiveMultipartStrings() == ["sync", ""])

        for topic in ["c.1.p", "c.10.p", "c.2.p", "c.1.", "other"] {
            try pub.send([topic, "body"])
        }
        try pub.send(["end", ""])

        var topics: [String] = []
        while true {
            let frames = try sub.receiveMultipartStrings()
            if frames[0] == "end" { break }
            if frames[0] != "sync" { topics.append(frames[0]) }
        }
        #expect(topics == ["c.1.p", "c.1."])
    }

    @Test func xpubSeesSubscriptions() throws {
        let context = try Context()
        let xpub = try context.testSocket(.xpub)
        try xpub.set(.xpubVerbose, to: true)
        let binding = try Binding(xpub, .tcp)
        let sub = try context.testSocket(.sub)
        try sub.connect(binding.endpoint)

        try sub.subscribe("alerts.")
        #expect(try xpub.receive() == [1] + [UInt8]("alerts."))
        try sub.unsubscribe("alerts.")
        #expect(try xpub.receive() == [0] + [UInt8]("alerts."))
    }

    @Test func routerAndDealerAddressByRoutingID() throws {
        let context = try Context()
        let router = try context.testSocket(.router)
        try router.set(.routerMandatory, to: true)
        let binding = try Binding(router, .tcp)
        let dealer = try context.testSocket(.dealer)
        try dealer.set(.routingID, to: [UInt8]("collector-7"))
        #expect(try dealer.get(.routingID) == [UInt8]("collector-7"))
        try dealer.connect(binding.endpoint)

        try dealer.send(["snapshot", "c.1."])
        let request = try router.receiveMultipart()
        #expect(request == [[UInt8]("collector-7"), [UInt8]("snapshot"), [UInt8]("c.1.")])

        try router.send([request[0], [UInt8]("state"), [UInt8]("42")])
        #expect(try dealer.receiveMultipartStrings() == ["state", "42"])

        #expect(throws: ZMQError.hostUnreachable) {
            try router.send([[UInt8]("nobody"), [UInt8]("x")])
        }
    }
}
