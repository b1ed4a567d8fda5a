import Foundation
import PixelAggregator
import PixelCore
import PixelPulseTesting
import Testing
import ZeroMQ

/// `watch`, `alerts` and `top` never wait silently: each failure names its cause and its
/// fix on standard error and exits non-zero, within `--timeout`.
@Suite(.serialized) struct SubscriberFailureTests {
    static let traffic = KnownTraffic(keys: [KnownTraffic.Key(campaign: "spring", pixel: "hero", views: 40)])

    /// Runs the built `pixelpulse` with `arguments`; its status, output and how long it took.
    static func pixelpulse(_ arguments: [String]) async throws -> (status: Int32, output: String, seconds: Double) {
        let started = ContinuousClock.now
        let result = try await run(try Paths.pixelpulse.path, arguments)
        let took = ContinuousClock.now - started
        return (result.status, result.output, Double(took.components.seconds) + Double(took.components.attoseconds) / 1e18)
    }

    @Test(arguments: [["watch", "--once"], ["watch"], ["top"]])
    func aWindowTheAggregatorDoesNotKeepIsAnErrorNamingTheWindowsItKeeps(_ command: [String]) async throws {
        try await LiveAggregator.with { live in
            try await Self.traffic.send(to: live)
            let result = try await Self.pixelpulse(
                command + ["--window", "2m", "--connect", live.endpoints.feed, "--snapshot", live.endpoints.snapshot])
            #expect(result.status == 1, "\(result.output)")
            #expect(result.output.contains("""
                Error: --window 2m: the aggregator at \(live.endpoints.feed) keeps only the windows 1m, 5m, 15m, 1h; choose among them
                """), "\(result.output)")
        }
    }

    @Test(arguments: [["watch"], ["watch", "--once"], ["alerts"], ["top"]])
    func withoutTheKeyOfACurveAggregatorTheErrorSaysToGiveIt(_ command: [String]) async throws {
        try #require(LibZMQ.has("curve"))
        let server = try CurveKeyPair.generate()
        var configuration = LiveAggregator.configuration()
        configuration.security = TransportSecurity(keyPair: server, allowlists: .init(collectors: [:]))
        try await LiveAggregator.with(configuration) { live in
            let endpoints = ["--connect", live.endpoints.feed, "--snapshot", live.endpoints.snapshot]
            let result = try await Self.pixelpulse(command + endpoints + ["--timeout", "2"])
            #expect(result.status == 2, "\(result.output)")
            #expect(result.seconds >= 2 && result.seconds < 30, "a bounded wait: \(result.seconds) s")
            #expect(result.output.contains("Error: nothing arrived from the aggregator at \(live.endpoints.feed) within 2 s (--timeout)."))
            // libzmq reports the mechanism mismatch itself, or, when the server closes first, only a
            // broken handshake: either way the message points at the key.
            #expect(result.output.contains("uses CURVE (it printed \"curve: on\")"), "\(result.output)")
            #expect(result.output.contains("give its public key with --aggregator-key KEY or FILE.pub"), "\(result.output)")

            // With the key, the same command gets its snapshot (a Z85 key may start with "-": one argument with "=").
            guard command.contains("--once") else { return }
            let keyed = try await Self.pixelpulse(command + endpoints + ["--aggregator-key=\(server.publicKey.z85)"])
            #expect(keyed.status == 0 && keyed.output.hasPrefix("PixelPulse · \(live.endpoints.feed)"), "\(keyed.output)")
        }
    }

    @Test(arguments: [["watch", "--once"], ["top"], ["top", "--json"], ["alerts"]])
    func anUnreachableAggregatorIsAnErrorWithinTheTimeout(_ command: [String]) async throws {
        let folder = try ScratchFolder("unreachable")
        defer { folder.remove() }
        let result = try await Self.pixelpulse(command + ["--connect", folder.feed, "--snapshot", folder.feed + "-snapshot", "--timeout", "1.5"])
        #expect(result.status == 2, "\(result.output)")
        #expect(result.seconds >= 1.5 && result.seconds < 30, "a bounded wait: \(result.seconds) s")
        #expect(result.output.contains("""
            Error: nothing arrived from the aggregator at \(folder.feed) within 1.5 s (--timeout).
              nothing accepted the connection: is the aggregator running, and is \(folder.feed) its feed endpoint
            """), "\(result.output)")
    }

    @Test func aSnapshotEndpointThatDoesNotAnswerIsNamed() async throws {
        let folder = try ScratchFolder("no-snapshot")
        defer { folder.remove() }
        try await LiveAggregator.with { live in
            let result = try await Self.pixelpulse(["top", "--connect", live.endpoints.feed, "--snapshot", folder.feed, "--timeout", "2"])
            #expect(result.status == 2, "\(result.output)")
            #expect(result.output.contains("its heartbeats arrive, but the snapshot endpoint \(folder.feed) did not answer: check --snapshot"),
                    "\(result.output)")
        }
    }
}
