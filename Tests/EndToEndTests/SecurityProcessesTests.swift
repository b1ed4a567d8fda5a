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
        #expect(try await aggregator.value(after: "curve:").hasPrefix("on, public key \(publicKeys["aggregator"]!), 1 listed collectors"))

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
        let refusal = try await aggregator.line(containing: "refused a client")
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
}
