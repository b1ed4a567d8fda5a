import Foundation
import PixelCore
import PixelPulseTesting
import Testing
import ZeroMQ

/// The built `pixelpulse collector` keeping its visitor secret, and refusing a broken one.
@Suite(.serialized) struct VisitorSecretProcessesTests {
    @Test func aRestartedCollectorWithASpoolCountsAReturningVisitorAsOne() async throws {
        let folder = try ScratchFolder("secret")
        defer { folder.remove() }
        let context = try Context()
        let ingest = try IngestStandIn.start(context: context)
        let spool = folder.url.appending(path: "spool")
        var visitors: [UInt64?] = []
        for _ in 0..<2 {
            let collector = try ChildProcess(try Paths.pixelpulse, [
                "collector", "--ingest", ingest.endpoint, "--http", "127.0.0.1:0", "--collector-id", "edge", "--spool-dir", spool.path,
            ])
            let http = try await collector.value(after: "http:")
            try await fire(["\(http)/p/c/p.gif"], userAgent: "returning-visitor")
            visitors += await ingest.events(count: 1).flatMap(\.hits).map(\.visitor)
            #expect(try await collector.terminate() == 0)
        }
        #expect(visitors.count == 2)
        #expect(visitors[0] != nil && visitors[0] == visitors[1])
        let mode = try FileManager.default.attributesOfItem(atPath: spool.appending(path: "visitor.secret").path)[.posixPermissions]
        #expect(mode as? Int == 0o600)
        await ingest.stop()
    }

    @Test func aBrokenSecretFileStopsTheCollectorAtStartWithTheReason() async throws {
        let folder = try ScratchFolder("secret")
        defer { folder.remove() }
        let short = folder.url.appending(path: "short").path
        try Data("hunter2\n".utf8).write(to: URL(fileURLWithPath: short))
        let missing = folder.url.appending(path: "missing").path
        for (path, problem) in [
            (short, "holds 7 bytes; a visitor secret needs at least 16"),
            (missing, "does not exist (make one with `openssl rand -hex 32 > \(missing)`)"),
            (folder.url.path, "is not a regular file"),
        ] {
            let result = try await run(try Paths.pixelpulse.path, [
                "collector", "--ingest", "tcp://127.0.0.1:1", "--http", "127.0.0.1:0", "--visitor-secret-file", path,
            ])
            #expect(result.status != 0)
            #expect(result.output.contains("Error: visitor secret file \(path) \(problem)"), "\(result.output)")
            #expect(!result.output.contains("http: "), "nothing was served")
        }
    }
}
