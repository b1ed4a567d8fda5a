import Foundation
import Testing

/// CURVE between the built processes: keys from `pixelpulse keys`, an aggregator that lists
/// one collector, a collector it lists and one it does not.
@Suite(.serialized) struct SecurityProcessesTests {
    @Test func aCollectorWithoutAListedKeyCannotAddASingleCount() async throws {
        let folder = FileManager.default.temporaryDirectory.appending(path: "pixelpulse-keys-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let binary = try Paths.pixelpulse
        var publicKeys: [String: String] = [:]
        for name in ["aggregator", "edge-1", "intruder"] {
            let made = try await run(binary.path, ["keys", "--name", name, "--out", folder.path])
            #expect(made.status == 0, "\(made.output)")
            publicKeys[name] = made.output.split(separator: "\n").first { $0.hasPrefix("public key: ") }.map { String($0.dropFirst(12)) }
        }
        let key = { (file: String) in folder.appending(path: file).path }

        let aggregator = try ChildProcess(binary, [
            "aggregator", "--ingest", "tcp://127.0.0.1:*", "--feed", "tcp://127.0.0.1:*", "--snapshot", "tcp://127.0.0.1:*",
            "--tick-ms", "50", "--server-key", key("aggregator.key"), "--allow-collectors", key("edge-1.pub"),
        ], withErrors: true)
        let ingest = try await aggregator.value(after: "ingest:")
        let feed = try await aggregator.value(after: "feed:")
        #expect(try await aggregator.value(after: "curve:").hasPrefix("on, public key \(publicKeys["aggregator"]!), 1 listed collector"))

        func collector(_ name: String) async throws -> (ChildProcess, http: String) {
            let process = try ChildProcess(binary, [
                "collector", "--ingest", ingest, "--http", "127.0.0.1:0", "--collector-id", name,
                "--collector-key", key("\(name).key"), "--aggregator-key", key("aggregator.pub"),
            ])
            return (process, try await process.value(after: "http:"))
        }
        let (intruder, intruderHTTP) = try await collector("intruder")
        let (member, memberHTTP) = try await collector("edge-1")

        // The intruder's hits first: had any got through, they would be counted before the member's.
        let hit = "/p/paid/banner.gif"
        try await fire(Array(repeating: intruderHTTP + hit, count: 40))  // the pixel still answers
        let refusal = try await aggregator.line(containing: "Refused a client")
        #expect(refusal.contains("zap.key=\(publicKeys["intruder"]!)"))
        #expect(refusal.contains("zap.domain=ingest"))
        let ready = try await run("/usr/bin/curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", intruderHTTP + "/readyz"])
        #expect(ready.output == "503", "the refused collector is not ready")

        let hits = Array(repeating: ProcessesTests.Hit(campaign: "paid", pixel: "banner", kind: "view"), count: 60)
        // A Z85 key may begin with "-": one argument with "=", or Python takes it for an option.
        let serverKey = "--server-key=\(publicKeys["aggregator"]!)"
        let checker = try await ProcessesTests.checker(feed: feed, prefix: "stats/paid/", hits: hits, [serverKey])
        try await fire(hits.map { $0.url(memberHTTP) })
        let verdict = try await checker.line(startingWithAnyOf: ["OK", "FAIL"])
        #expect(verdict.hasPrefix("OK"), "\(verdict)")

        #expect(try await checker.terminate() == 0)
        _ = try await intruder.terminate()
        _ = try await member.terminate()
        _ = try await aggregator.terminate()
    }

    /// SIGHUP reads the allowlists again: a collector refused until its key is listed gets
    /// in, and the hits it answered meanwhile (held, unacknowledged) are counted then; a
    /// broken file is refused and the lists in force stay.
    @Test func sighupReadsTheAllowlistsAgain() async throws {
        let folder = FileManager.default.temporaryDirectory.appending(path: "pixelpulse-keys-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let binary = try Paths.pixelpulse
        for name in ["aggregator", "edge-1", "edge-2"] {
            let made = try await run(binary.path, ["keys", "--name", name, "--out", folder.path])
            #expect(made.status == 0, "\(made.output)")
        }
        let key = { (file: String) in folder.appending(path: file).path }
        let allow = folder.appending(path: "collectors.allow")
        try FileManager.default.copyItem(at: folder.appending(path: "edge-1.pub"), to: allow)

        let aggregator = try ChildProcess(binary, [
            "aggregator", "--ingest", "tcp://127.0.0.1:*", "--feed", "tcp://127.0.0.1:*", "--snapshot", "tcp://127.0.0.1:*",
            "--tick-ms", "50", "--server-key", key("aggregator.key"), "--allow-collectors", allow.path,
        ], withErrors: true)
        let ingest = try await aggregator.value(after: "ingest:")
        let feed = try await aggregator.value(after: "feed:")
        #expect(try await aggregator.value(after: "curve:").hasSuffix("1 listed collector, any subscriber with the public key"))
        _ = try await aggregator.value(after: "alert rules:")  // SIGHUP is trapped from here on
        let collector = try ChildProcess(binary, [
            "collector", "--ingest", ingest, "--http", "127.0.0.1:0", "--collector-id", "edge-2",
            "--collector-key", key("edge-2.key"), "--aggregator-key", key("aggregator.pub"),
        ])
        let http = try await collector.value(after: "http:")
        let hits = (0..<50).map { ProcessesTests.Hit(campaign: "late", pixel: "p\($0 % 2)", kind: "view") }
        let publicKey = try String(contentsOf: folder.appending(path: "aggregator.pub"), encoding: .utf8)
            .split(separator: "\n").first { !$0.hasPrefix("#") }!.split(separator: " ")[0]
        let checker = try await ProcessesTests.checker(feed: feed, prefix: "stats/late/", hits: hits, ["--server-key=\(publicKey)"])

        try await fire(hits[..<20].map { $0.url(http) })
        _ = try await aggregator.line(containing: "collector key not in the allowlist")
        let edge2 = try String(contentsOf: folder.appending(path: "edge-2.pub"), encoding: .utf8)
        try (String(contentsOf: allow, encoding: .utf8) + edge2).write(to: allow, atomically: true, encoding: .utf8)
        kill(aggregator.process.processIdentifier, SIGHUP)
        let reloaded = try await aggregator.line(startingWithAnyOf: ["allowlists:"])
        #expect(reloaded.contains("2 listed collectors"), "\(reloaded)")
        try await fire(hits[20...].map { $0.url(http) })
        let verdict = try await checker.line(startingWithAnyOf: ["OK", "FAIL"])
        #expect(verdict.hasPrefix("OK"), "\(verdict)")

        try "not a key\n".write(to: allow, atomically: true, encoding: .utf8)
        kill(aggregator.process.processIdentifier, SIGHUP)
        let refused = try await aggregator.line(startingWithAnyOf: ["allowlists not reloaded"])
        #expect(refused.contains("keeping 2 listed collectors"), "\(refused)")

        #expect(try await checker.terminate() == 0)
        #expect(try await collector.terminate() == 0)
        #expect(try await aggregator.terminate() == 0)
    }
}
