@testable import PixelCollector
import PixelPulseTesting
import Testing
import ZeroMQ

/// An ingest host that does not resolve is logged with its cause, not only seen on `/readyz`.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct IngestHostTests {
    static let nowhere = "tcp://no-such-host.invalid:5570"

    @Test func anUnresolvableIngestHostIsLoggedWithTheCause() async throws {
        let logs = LogCapture()
        let collector = try await RunningCollector.start(ingest: Self.nowhere, context: try Context(), logger: logs.logger)
        let line = try #require(await logs.line(containing: "does not resolve"), "no log line within 10 s")
        #expect(line.hasPrefix("error error="))
        #expect(line.contains("ingest.endpoint=\(Self.nowhere) ingest.host=no-such-host.invalid "))
        #expect(line.hasSuffix("The aggregator's ingest host does not resolve; nothing is sent until it does"))
        let cause = try #require(IngestHostCheck.resolutionFailure("no-such-host.invalid"))
        #expect(line.contains("error=\(cause) "))
        // The pixel still answers; readiness tells the same story.
        #expect(try await TestHTTPConnection.request(port: collector.port, "GET", "/p/c/p.gif").status == 200)
        #expect(try await TestHTTPConnection.request(port: collector.port, "GET", "/readyz").status == 503)
        try await collector.stop()
    }

    /// libzmq's monitor events, as an unresolvable host and then a resolvable one give them.
    @Test func retriesWithoutAnAttemptAreCheckedOnceAndTheRecoveryIsLogged() async throws {
        let logs = LogCapture()
        let check = IngestHostCheck(endpoint: Self.nowhere, logger: logs.logger)
        let retried = SocketEvent.connectRetried(endpoint: Self.nowhere, after: .milliseconds(100))
        check.note(retried)  // one retry alone follows every disconnect: not yet a failure
        #expect(logs.lines.drain().isEmpty)
        check.note(retried)
        #expect(await logs.line(containing: "does not resolve") != nil)
        for _ in 0..<5 { check.note(retried) }  // logged once per episode
        check.note(.connectDelayed(endpoint: Self.nowhere))  // an attempt: it resolves now
        #expect(logs.lines.drain() == [
            "notice ingest.endpoint=\(Self.nowhere) ingest.host=no-such-host.invalid The aggregator's ingest host resolves again; connecting",
        ])

        // Each retry after an attempt (a refused connection, say) is no failure to resolve.
        let attempting = LogCapture()
        let alternating = IngestHostCheck(endpoint: Self.nowhere, logger: attempting.logger)
        for _ in 0..<3 {
            alternating.note(.connectDelayed(endpoint: Self.nowhere))
            alternating.note(retried)
        }
        #expect(await attempting.line(containing: "does not resolve", timeout: .milliseconds(500)) == nil)
    }

    @Test func theHostComesFromTheEndpoint() {
        #expect(TCPEndpoint.host(in: "tcp://aggregator.internal:5570") == "aggregator.internal")
        #expect(TCPEndpoint.host(in: "tcp://10.1.2.3:4000;aggregator.internal:5570") == "aggregator.internal")
        #expect(TCPEndpoint.host(in: "tcp://[::1]:5570") == "::1")
        #expect(TCPEndpoint.host(in: "ipc:///run/pixelpulse/ingest") == nil)
        #expect(TCPEndpoint.host(in: "inproc://pixelpulse.ingest") == nil)
        #expect(IngestHostCheck.resolutionFailure("localhost") == nil)
        #expect(IngestHostCheck.resolutionFailure("127.0.0.1") == nil)
    }
}
