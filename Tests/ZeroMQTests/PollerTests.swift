import Testing
import ZeroMQ

@Suite struct PollerTests {
    @Test func reportsWhichSocketIsReadable() throws {
        let context = try Context()
        let quiet = try context.testSocket(.pull)
        _ = try Binding(quiet, .inproc)
        let busy = try context.testSocket(.pull)
        let binding = try Binding(busy, .tcp)
        let push = try context.testSocket(.push)
        try push.connect(binding.endpoint)

        let poller = Poller()
        let quietIndex = poller.register(quiet)
        let busyIndex = poller.register(busy, for: [.readable, .writable])
        #expect(poller.count == 2)

        try push.send("ping")
        #expect(try poller.poll(timeout: .seconds(5)) == 1)
        #expect(poller.readyEvents(at: busyIndex) == .readable)
        #expect(poller.readyEvents(at: quietIndex).isEmpty)
        #expect(poller.readyEvents(for: busy) == .readable)
        #expect(try busy.events.contains(.readable))
        #expect(try busy.receiveString() == "ping")
    }

    @Test func reportsWritablePush() throws {
        let context = try Context()
        let pull = try context.testSocket(.pull)
        let binding = try Binding(pull, .inproc)
        let push = try context.testSocket(.push)
        let poller = Poller()
        let index = poller.register(push, for: .writable)
        #expect(try poller.poll(timeout: .zero) == 0, "no peer: nowhere to write")
        try push.connect(binding.endpoint)
        #expect(try poller.poll(timeout: .seconds(5)) == 1)
        #expect(poller.readyEvents(at: index) == .writable)
        poller.setEvents([], at: index)
        #expect(try poller.poll(timeout: .zero) == 0)
    }

    @Test func timesOutWhenNothingArrives() throws {
        let context = try Context()
        let pull = try context.testSocket(.pull)
        let poller = Poller()
        poller.register(pull)
        let clock = ContinuousClock()
        let start = clock.now
        #expect(try poller.poll(timeout: .milliseconds(30)) == 0)
        #expect(start.duration(to: clock.now) >= .milliseconds(25))
        #expect(poller.readyEvents(for: pull).isEmpty)
    }

    @Test func refusesClosedSockets() throws {
        let context = try Context()
        let pull = try context.testSocket(.pull)
        let poller = Poller()
        poller.register(pull)
        pull.close()
        #expect(throws: ZMQError.notSocket) { try poller.poll(timeout: .zero) }
    }
}
