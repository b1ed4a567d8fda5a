import Foundation
import Testing

/// Segments through the real processes: hits of known agents and channels sent over HTTP to
/// `pixelpulse serve` come out on `segments/…` and in a snapshot, read by Python with pyzmq.
@Suite struct SegmentProcessesTests {
    @Test func knownHitsComeOutAsTheirBreakdowns() async throws {
        let serve = try ChildProcess(try Paths.pixelpulse, [
            "serve", "--http", "127.0.0.1:0", "--dashboard-http", "127.0.0.1:0", "--ingest", "tcp://127.0.0.1:*",
            "--feed", "tcp://127.0.0.1:*", "--snapshot", "tcp://127.0.0.1:*",
        ])
        let feed = try await serve.value(after: "feed:")
        let snapshot = try await serve.value(after: "snapshot:")
        let http = try await serve.value(after: "http:")
        let checker = try ChildProcess(URL(fileURLWithPath: "/usr/bin/env"), [
            "python3", Paths.segmentsCheck.path, "--feed", feed, "--snapshot", snapshot, "--http", http, "--campaign", "seg-e2e",
        ], withErrors: true)
        let verdict = try await checker.line(startingWithAnyOf: ["OK", "FAIL"])
        #expect(verdict == "OK", "\(verdict)")
        #expect(try await checker.terminate() == 0)
        #expect(try await serve.terminate() == 0)
    }
}
