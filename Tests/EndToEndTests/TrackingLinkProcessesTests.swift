import Foundation
import PixelCollector
import PixelCore
import PixelPulseTesting
import Testing
import ZeroMQ

/// `pixelpulse collector` and `pixelpulse link` as a person runs them: links signed by the
/// command redirect through the collector, SIGHUP rotates the secrets and reloads the pixel
/// sets, and a broken file is refused with its line.
@Suite(.serialized) struct TrackingLinkProcessesTests {
    static let chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
    static let first = "the-first-secret-0123456789"
    static let second = "the-second-secret-0123456789"

    /// `pixelpulse link`'s signed link, for `secrets`.
    private func signedLink(base: String, secrets: String, to: String = "https://shop.example/spring") async throws -> String {
        let made = try await run(try Paths.pixelpulse.path, [
            "link", "--campaign", "spring", "--link", "mail", "--to", to, "--base-url", base, "--link-secrets-file", secrets,
        ])
        #expect(made.status == 0, "\(made.output)")
        return try #require(made.output.split(separator: "\n").first { $0.hasPrefix("link: ") }).dropFirst("link: ".count).description
    }

    /// The status and `Location` curl gets for `url`, as a desktop browser.
    private func follow(_ url: String) async throws -> (status: String, location: String) {
        let curl = try await run("/usr/bin/curl", ["-s", "-o", "/dev/null", "-A", Self.chrome, "-w", "%{http_code} %{redirect_url}", url])
        let parts = curl.output.split(separator: " ", maxSplits: 1).map(String.init)
        return (parts.first ?? "", parts.count > 1 ? parts[1] : "")
    }

    @Test func linksRedirectAndSighupRotatesSecretsAndReloadsSets() async throws {
        let folder = try ScratchFolder("links")
        defer { folder.remove() }
        let secrets = folder.url.appending(path: "link.secrets").path
        let sets = folder.url.appending(path: "sets.yaml").path
        try "\(Self.first)\n".write(toFile: secrets, atomically: true, encoding: .utf8)
        try "sets:\n  spring:\n    - meta: \"1234567890\"\n".write(toFile: sets, atomically: true, encoding: .utf8)
        let context = try Context()
        let ingest = try IngestStandIn.start(context: context)
        let collector = try ChildProcess(try Paths.pixelpulse, [
            "collector", "--ingest", ingest.endpoint, "--http", "127.0.0.1:0", "--link-secrets-file", secrets, "--pixel-sets", sets,
        ])
        #expect(try await collector.value(after: "link secrets:") == "1 secret from \(secrets) (the first signs)")
        #expect(try await collector.value(after: "pixel sets:") == "1 loaded from \(sets) (spring)")
        let http = try await collector.value(after: "http:")

        let old = try await signedLink(base: http, secrets: secrets)
        let answer = try await follow(old)
        #expect(answer.status == "302")
        #expect(answer.location.hasPrefix("https://shop.example/spring?ppclid="))
        let firstKeys = LinkKeys(secrets: [Array(Self.first.utf8)])
        #expect(try ClickID(token: answer.location.split(separator: "ppclid=")[1], keys: firstKeys).link == "mail")

        // Rotation: the new secret first, the old one kept, so old links keep working.
        try "\(Self.second)\n\(Self.first)\n".write(toFile: secrets, atomically: true, encoding: .utf8)
        try "sets:\n  spring:\n    - meta: \"1234567890\"\n  autumn:\n    - linkedin: \"123\"\n".write(toFile: sets, atomically: true, encoding: .utf8)
        kill(collector.process.processIdentifier, SIGHUP)
        #expect(try await collector.value(after: "link secrets: 2 secrets loaded") == "from \(secrets) (the first signs)")
        #expect(try await collector.value(after: "pixel sets: 2 loaded") == "from \(sets)")
        #expect(try await follow(old).status == "302")
        let new = try await signedLink(base: http, secrets: secrets)
        #expect(new != old)
        let rotated = try await follow(new)
        #expect(rotated.status == "302")
        #expect((try? ClickID(token: rotated.location.split(separator: "ppclid=")[1], keys: LinkKeys(secrets: [Array(Self.second.utf8)]))) != nil)

        // A broken set file is refused with its line; the sets in force stay.
        try "sets:\n  spring:\n    - meta: \"12ab\"\n".write(toFile: sets, atomically: true, encoding: .utf8)
        kill(collector.process.processIdentifier, SIGHUP)
        #expect(try await collector.value(after: "pixel sets not reloaded:")
            == "\(sets):3: set \"spring\", meta: a Meta pixel id is 5-20 digits; keeping the 2 sets in force")
        let refused = try await follow("\(http)/r/spring/mail?to=https%3A%2F%2Fshop.example%2F")
        #expect(refused.status == "400")

        let hits = await ingest.events(count: 3).flatMap(\.hits)
        #expect(hits.map(\.kind) == [.click, .click, .click])
        #expect(hits.allSatisfy { $0.campaign == "spring" && $0.pixel == "mail" && $0.device == .desktop })
        #expect(try await collector.terminate() == 0)
        #expect(ingest.batches.drain().isEmpty)
        await ingest.stop()
    }

    @Test func aBrokenPixelSetFileStopsTheCollectorAtStartWithItsLine() async throws {
        let folder = try ScratchFolder("links")
        defer { folder.remove() }
        let sets = folder.url.appending(path: "sets.yaml").path
        try "sets:\n  spring:\n    - image: \"//ads.example/px.gif\"\n".write(toFile: sets, atomically: true, encoding: .utf8)
        let result = try await run(try Paths.pixelpulse.path, [
            "collector", "--ingest", "tcp://127.0.0.1:1", "--http", "127.0.0.1:0", "--pixel-sets", sets,
        ])
        #expect(result.status == 1)
        #expect(result.output.contains("Error: --pixel-sets: \(sets):3: set \"spring\", image: the image URL is not an absolute"), "\(result.output)")
        #expect(!result.output.contains("Usage:"))
        #expect(!result.output.contains("http: "), "nothing was served")
    }
}
