import Foundation
import PixelPulseTesting
import Testing

/// `Deploy/install` puts `pixelpulse` on a prefix's `bin`, so the README's bare commands run.
/// The build step is `swift build -c release`, which cannot run inside `swift test` (it holds
/// the package's build lock): the test installs the binary this test run built.
@Suite struct InstallTests {
    static func install(prefix: URL, binary: String, path: String) async throws -> (status: Int32, output: String) {
        var environment = ProcessInfo.processInfo.environment
        environment["PREFIX"] = prefix.path
        environment["PIXELPULSE_BINARY"] = binary
        environment["PATH"] = path
        return try await run(Paths.root.appendingPathComponent("Deploy/install").path, [], environment: environment)
    }

    @Test func installsPixelpulseAndSaysWhenItsFolderIsNotOnPath() async throws {
        let prefix = try ScratchFolder("install").url
        defer { try? FileManager.default.removeItem(at: prefix) }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let first = try await Self.install(prefix: prefix, binary: try Paths.pixelpulse.path, path: path)
        #expect(first.status == 0, "\(first.output)")
        #expect(first.output.contains("\(prefix.path)/bin is not on PATH"), "\(first.output)")
        let installed = prefix.appendingPathComponent("bin/pixelpulse").path
        #expect(FileManager.default.isExecutableFile(atPath: installed))
        let help = try await run(installed, ["--help"])
        #expect(help.status == 0 && help.output.contains("pixelpulse serve --demo"), "\(help.output)")

        let again = try await Self.install(prefix: prefix, binary: try Paths.pixelpulse.path, path: "\(prefix.path)/bin:\(path)")
        #expect(again.status == 0)
        #expect(again.output.trimmingCharacters(in: .whitespacesAndNewlines) == "install: \(installed)", "\(again.output)")
    }

    @Test func aMissingBinaryIsRefusedWithTheReason() async throws {
        let prefix = try ScratchFolder("install").url
        defer { try? FileManager.default.removeItem(at: prefix) }
        let result = try await Self.install(prefix: prefix, binary: "/nonexistent/pixelpulse", path: "/usr/bin:/bin")
        #expect(result.status != 0)
        #expect(result.output.contains("PIXELPULSE_BINARY=/nonexistent/pixelpulse is not an executable file"), "\(result.output)")
        #expect(!FileManager.default.fileExists(atPath: prefix.appendingPathComponent("bin/pixelpulse").path))
    }
}
