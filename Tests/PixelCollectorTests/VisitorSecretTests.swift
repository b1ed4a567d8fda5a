import Foundation
@testable import PixelCollector
import PixelCore
import PixelPulseTesting
import Prometheus
import Testing
import ZeroMQ

/// Unique visitors across restarts and collectors: where the visitor secret is kept.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct VisitorSecretTests {
    /// A fresh folder, removed by the test.
    private func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appending(path: "pixelpulse-secret-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// The visitor hash one collector, configured by `configure`, gives the same client.
    private func visitor(
        _ ingest: IngestStandIn, _ context: Context, logs: LogCapture = LogCapture(),
        _ configure: (inout CollectorConfiguration) -> Void
    ) async throws -> UInt64? {
        let collector = try await RunningCollector.start(ingest: ingest.endpoint, context: context, logger: logs.logger, configure: configure)
        _ = try await TestHTTPConnection.request(port: collector.port, "GET", "/p/c/p.gif", headers: [("User-Agent", "UA")])
        let hits = await ingest.events(count: 1).flatMap(\.hits)
        try await collector.stop()
        try #require(hits.count == 1)
        return hits[0].visitor
    }

    @Test func aSpoolKeepsTheSecretSoARestartCountsTheSameVisitor() async throws {
        let context = try Context()
        let ingest = try IngestStandIn.start(context: context)
        let root = try folder()
        defer { try? FileManager.default.removeItem(at: root) }
        let spool = root.appending(path: "spool")  // made by the collector
        let secretPath = spool.appending(path: "visitor.secret").path

        let logs = LogCapture()
        let first = try #require(try await visitor(ingest, context, logs: logs) { $0.spoolDirectory = spool })
        let created = try #require(await logs.line(containing: "Visitor secret created"))
        #expect(created.contains("visitor_secret.file=\(secretPath)"))
        let attributes = try FileManager.default.attributesOfItem(atPath: secretPath)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let text = try String(contentsOfFile: secretPath, encoding: .utf8)
        #expect(text.count == 65 && text.hasSuffix("\n"))
        #expect(text.dropLast().allSatisfy { $0.isHexDigit })

        // A restart on the same spool: the same visitor.
        let again = LogCapture()
        #expect(try await visitor(ingest, context, logs: again) { $0.spoolDirectory = spool } == first)
        #expect(await again.line(containing: "Visitor secret read")?.contains(secretPath) == true)
        #expect(try String(contentsOfFile: secretPath, encoding: .utf8) == text)  // kept, not replaced
        // Another collector given the same file, or its text as the secret: the same visitor.
        #expect(try await visitor(ingest, context) { $0.visitorSecretFile = URL(fileURLWithPath: secretPath) } == first)
        #expect(try await visitor(ingest, context) { $0.visitorSecret = Array(text.dropLast().utf8) } == first)
        // A collector with a spool of its own has another secret.
        #expect(try await visitor(ingest, context) { $0.spoolDirectory = root.appending(path: "other") } != first)
        await ingest.stop()
    }

    @Test func withoutASecretOrSpoolTheSecretIsRandomAndSaysSo() async throws {
        let context = try Context()
        let ingest = try IngestStandIn.start(context: context)
        let logs = LogCapture()
        let first = try await visitor(ingest, context, logs: logs) { _ in }
        let notice = try #require(await logs.line(containing: "Visitor secret"))
        #expect(notice == """
            notice Visitor secret is random for this process; unique visitors count again after a restart \
            (keep one with --spool-dir, --visitor-secret-file or --visitor-secret)
            """)
        #expect(try await visitor(ingest, context) { _ in } != first)
        await ingest.stop()
    }

    @Test func aBrokenSecretFileIsRefusedAtStart() async throws {
        let root = try folder()
        defer { try? FileManager.default.removeItem(at: root) }
        let path = { (name: String) in root.appending(path: name).path }
        try Data().write(to: root.appending(path: "empty"))
        try Data("short\n".utf8).write(to: root.appending(path: "short"))
        try Data(repeating: 0x61, count: 4097).write(to: root.appending(path: "huge"))
        try FileManager.default.createDirectory(at: root.appending(path: "folder"), withIntermediateDirectories: false)
        let make = "(make one with `openssl rand -hex 32 > "
        let cases: [(file: String, problem: String)] = [
            ("missing", "does not exist \(make)\(path("missing"))`)"),
            ("empty", "holds 0 bytes; a visitor secret needs at least 16 \(make)\(path("empty"))`)"),
            ("short", "holds 5 bytes; a visitor secret needs at least 16 \(make)\(path("short"))`)"),
            ("huge", "is over 4096 bytes: not a visitor secret"),
            ("folder", "is not a regular file"),
        ]
        for (file, problem) in cases {
            let error = SecretFileError("visitor secret", path: path(file), problem: problem)
            var configuration = CollectorConfiguration(ingestEndpoint: "tcp://127.0.0.1:1", collectorID: "test-edge")
            configuration.port = 0
            configuration.visitorSecretFile = URL(fileURLWithPath: path(file))
            let collector = Collector(
                configuration: configuration, zmqContext: try Context(), registry: PrometheusCollectorRegistry(), logger: LogCapture().logger)
            await #expect(throws: error) { try await collector.run() }
            await #expect(throws: error) { _ = try await collector.listeningPort }
        }
        #expect("\(SecretFileError("visitor secret", path: "/s", problem: "is not a regular file"))" == "visitor secret file /s is not a regular file")

        // A spool's own file, damaged, is refused too rather than replaced.
        try Data("x".utf8).write(to: root.appending(path: "visitor.secret"))
        #expect(throws: SecretFileError.self) {
            var configuration = CollectorConfiguration(ingestEndpoint: "tcp://127.0.0.1:1", collectorID: "test-edge")
            configuration.spoolDirectory = root
            _ = try VisitorSecret.resolve(configuration, logger: LogCapture().logger)
        }
        #expect(try Data(contentsOf: root.appending(path: "visitor.secret")) == Data("x".utf8))
    }

    @Test func aSecretAndASecretFileAreNotBothGiven() {
        var configuration = CollectorConfiguration(ingestEndpoint: "tcp://127.0.0.1:1", collectorID: "test-edge")
        configuration.visitorSecret = Array("0123456789abcdef".utf8)
        configuration.visitorSecretFile = URL(fileURLWithPath: "/run/secrets/visitor")
        #expect(configuration.problem == "give visitorSecret or visitorSecretFile, not both")
    }
}
