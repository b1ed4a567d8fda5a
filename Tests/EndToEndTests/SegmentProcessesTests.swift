import Foundation
import PixelPulseTesting
import Testing

/// Segments through the real processes: hits of known agents, channels and addresses sent
/// over HTTP to `pixelpulse serve` come out on `segments/…` and in a snapshot, read by Python
/// with pyzmq; with a country database, and without one (no country breakdown, said at start).
@Suite struct SegmentProcessesTests {
    @Test(arguments: [true, false])
    func knownHitsComeOutAsTheirBreakdowns(countries: Bool) async throws {
        let database = countries ? try TestCountryDatabase.make() : nil
        let serve = try ChildProcess(try Paths.pixelpulse, [
            "serve", "--http", "127.0.0.1:0", "--dashboard-http", "127.0.0.1:0", "--ingest", "tcp://127.0.0.1:*",
            "--feed", "tcp://127.0.0.1:*", "--snapshot", "tcp://127.0.0.1:*", "--trust-forwarded-for",
        ] + (database.map { ["--country-database", $0] } ?? []))
        // In the order serve prints them: the aggregator's lines, then the collector's.
        let feed = try await serve.value(after: "feed:")
        let snapshot = try await serve.value(after: "snapshot:")
        let country = try await serve.value(after: "country:")
        #expect(country.hasPrefix(database.map { "from \($0) (PixelPulse-Test-Country, built " } ?? "none (hits carry no country"),
                "\(country)")
        let http = try await serve.value(after: "http:")
        let checker = try ChildProcess(URL(fileURLWithPath: "/usr/bin/env"), [
            "python3", Paths.segmentsCheck.path, "--feed", feed, "--snapshot", snapshot, "--http", http, "--campaign", "seg-e2e",
        ] + (countries ? ["--countries"] : []), withErrors: true)
        let verdict = try await checker.line(startingWithAnyOf: ["OK", "FAIL"])
        #expect(verdict == "OK", "\(verdict)")
        #expect(try await checker.terminate() == 0)
        #expect(try await serve.terminate() == 0)
    }
}
