import ArgumentParser
@testable import pixelpulse
import Testing

/// The options of `watch`, `top` and `alerts`, checked before anything connects.
@Suite(.withoutPixelPulseEnvironment)
struct SubscriberOptionsTests {
    @Test(arguments: [
        (["watch", "--window", "2x"], "--window: cannot read window \"2x\"; use e.g. 90s, 1m, 15m, 1h"),
        (["watch", "--timeout", "0"], "--timeout must be a positive number of seconds, at most 86400"),
        (["top", "--window", "1m,1h"], "--window: give one window, e.g. 1h"),
        (["top", "--campaign", "a/b"], "--campaign: not a valid campaign id"),
    ])
    func badSubscriberOptionsAreRefused(arguments: [String], message: String) {
        let error = #expect(throws: (any Error).self) { try PixelPulse.parseAsRoot(arguments) }
        #expect(error.map { PixelPulse.message(for: $0) } == message)
    }

    @Test func topTotalsTheLastHourByDefaultAndWaitsFiveSeconds() throws {
        let top = try #require(try PixelPulse.parseAsRoot(["top"]) as? TopCommand)
        #expect(top.window == "1h" && !top.json)
        #expect(top.aggregator.timeout == 5)
    }
}
