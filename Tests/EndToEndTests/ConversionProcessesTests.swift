import Foundation
import PixelPulseTesting
import Testing
import ZeroMQ

/// The journey across processes: a signed tracking link clicked, its conversion reported by
/// the thank-you pixel and by the backend with the click id, then again by an affiliate
/// network's postback after the aggregator restarted — the click and each conversion
/// counted once, on the campaign and link that were clicked.
@Suite(.serialized) struct ConversionProcessesTests {
    static let chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
    static let token = "conversions-0123456789abcdef"

    /// curl's answer: the status and the body.
    private func curl(_ arguments: [String]) async throws -> (status: Int, body: String) {
        let done = try await run("/usr/bin/curl", ["-s", "-w", "\n%{http_code}"] + arguments)
        let lines = done.output.split(separator: "\n", omittingEmptySubsequences: false)
        return (Int(lines.last ?? "") ?? 0, lines.dropLast().joined(separator: "\n"))
    }

    /// The statuses of an answer's items, `invalid:reason` for the invalid ones.
    private func fates(_ body: String) throws -> [String] {
        let json = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any], "\(body)")
        return try #require(json["items"] as? [[String: Any]]).map { item in
            [item["status"] as? String, item["reason"] as? String].compactMap { $0 }.joined(separator: ":")
        }
    }

    private func report(_ http: String, _ items: String) async throws -> [String] {
        let answer = try await curl([
            "-H", "Authorization: Bearer \(Self.token)", "-H", "Content-Type: application/json",
            "--data-binary", "{\"conversions\":[\(items)]}", "\(http)/v1/conversions",
        ])
        #expect(answer.status == 200, "\(answer.body)")
        return try fates(answer.body)
    }

    @Test func aClickAndItsConversionsCountOnceAcrossAnAggregatorRestart() async throws {
        let folder = try ScratchFolder("conversions")
        defer { folder.remove() }
        let binary = try Paths.pixelpulse
        let secrets = folder.url.appending(path: "link.secrets").path
        let tokens = folder.url.appending(path: "conversion.tokens").path
        try "a-link-secret-0123456789abcdef\n".write(toFile: secrets, atomically: true, encoding: .utf8)
        try "# the shop's backend and the affiliate network\n\(Self.token)\n".write(toFile: tokens, atomically: true, encoding: .utf8)
        let snapshot = "ipc://\(folder.url.path)/snapshot"
        let arguments = folder.aggregatorArguments(["--data-dir", folder.url.appending(path: "data").path])
        var aggregator = try ChildProcess(binary, arguments, withErrors: true)
        _ = try await aggregator.value(after: "ingest:")
        let collector = try ChildProcess(binary, [
            "collector", "--ingest", folder.ingest, "--http", "127.0.0.1:0", "--collector-id", "edge-conv",
            "--link-secrets-file", secrets, "--conversion-tokens-file", tokens,
        ])
        let http = try await collector.value(after: "http:")

        let made = try await run(binary.path, [
            "link", "--campaign", "spring", "--link", "fb-ad", "--to", "https://shop.example/spring", "--base-url", http,
            "--link-secrets-file", secrets,
        ])
        let link = try #require(made.output.split(separator: "\n").first { $0.hasPrefix("link: ") }).dropFirst(6)
        let click = try await run("/usr/bin/curl", ["-s", "-o", "/dev/null", "-A", Self.chrome, "-w", "%{http_code} %{redirect_url}", String(link)])
        #expect(click.output.hasPrefix("302 https://shop.example/spring?ppclid="), "\(click.output)")
        let clickID = try #require(click.output.split(separator: "ppclid=").last.map(String.init))

        // The thank-you page's pixel, then the backend with the click id: one conversion.
        let pixel = try await curl(["-o", "/dev/null", "\(http)/p/spring/fb-ad.gif?e=conversion&v=4999&id=order-1"])
        #expect(pixel.status == 200)
        var forged = Array(clickID)
        forged[forged.count / 2] = forged[forged.count / 2] == "A" ? "B" : "A"
        #expect(try await report(http, """
            {"click_id":"\(clickID)","event_id":"order-1","value":4999},\
            {"click_id":"\(clickID)","event_id":"order-2","value":1000},\
            {"click_id":"\(String(forged))","event_id":"order-3","value":1}
            """) == ["duplicate", "accepted", "invalid:click_id"])

        // The aggregator restarts from its data directory; the network's postback of the
        // same order comes after, and is still a duplicate.
        #expect(try await aggregator.terminate() == 0)
        aggregator = try ChildProcess(binary, arguments, withErrors: true)
        _ = try await aggregator.value(after: "ingest:")
        let linkedAgain = await eventually(timeout: .seconds(30)) {
            (try? await self.curl(["-o", "/dev/null", "\(http)/readyz"]).status) == 200
        }
        #expect(linkedAgain)
        let postback = try await curl(["\(http)/v1/postback?click_id=\(clickID)&event_id=order-2&value=1000&currency=&token=\(Self.token)"])
        #expect(postback.status == 200)
        #expect(try fates(postback.body) == ["duplicate"])
        let wrongToken = try await curl(["\(http)/v1/postback?click_id=\(clickID)&event_id=order-9&token=guess-0123456789abcdef"])
        #expect(wrongToken.status == 401)

        let top = try await run(binary.path, ["top", "--json", "--connect", folder.feed, "--snapshot", snapshot, "--campaign", "spring"])
        let totals = try #require(try JSONSerialization.jsonObject(with: Data(top.output.utf8)) as? [String: Any], "\(top.output)")
        let campaign = try #require((totals["campaigns"] as? [[String: Any]])?.first)
        let fbAd = try #require((campaign["pixels"] as? [[String: Any]])?.first { $0["pixel"] as? String == "fb-ad" })
        #expect(fbAd["clicks"] as? Int == 1)
        #expect(fbAd["conversions"] as? Int == 2)
        #expect(fbAd["value"] as? Int == 5999)
        #expect(try await collector.terminate() == 0)
        #expect(try await aggregator.terminate() == 0)
    }

    @Test func sighupReadsTheTokensAgainAndKeepsThemWhenTheFileIsBroken() async throws {
        let folder = try ScratchFolder("tokens")
        defer { folder.remove() }
        let tokens = folder.url.appending(path: "conversion.tokens").path
        try "old-token-0123456789abcdef\n".write(toFile: tokens, atomically: true, encoding: .utf8)
        let context = try Context()
        let ingest = try IngestStandIn.start(context: context)
        let collector = try ChildProcess(try Paths.pixelpulse, [
            "collector", "--ingest", ingest.endpoint, "--http", "127.0.0.1:0", "--conversion-tokens-file", tokens,
        ])
        #expect(try await collector.value(after: "conversion tokens:") == "1 token from \(tokens)")
        let http = try await collector.value(after: "http:")
        func status(_ token: String) async throws -> Int {
            try await curl(["-o", "/dev/null", "\(http)/v1/postback?campaign=c&pixel=p&event_id=\(UUID().uuidString)&token=\(token)"]).status
        }
        // The stand-in acknowledges batches without fates: admitted items are answered `pending`.
        #expect(try await status("old-token-0123456789abcdef") == 202)

        try "new-token-0123456789abcdef\n".write(toFile: tokens, atomically: true, encoding: .utf8)
        kill(collector.process.processIdentifier, SIGHUP)
        #expect(try await collector.value(after: "conversion tokens: 1 token loaded") == "from \(tokens)")
        #expect(try await status("old-token-0123456789abcdef") == 401)
        #expect(try await status("new-token-0123456789abcdef") == 202)

        try "new-token-0123456789abcdef\nshort\n".write(toFile: tokens, atomically: true, encoding: .utf8)
        kill(collector.process.processIdentifier, SIGHUP)
        #expect(try await collector.value(after: "conversion tokens not reloaded:") == """
            --conversion-tokens-file: \(tokens):2: a token of 5 bytes; tokens need at least 16 \
            (make one with `openssl rand -hex 32`); keeping the 1 token in force
            """)
        #expect(try await status("new-token-0123456789abcdef") == 202)
        #expect(try await collector.terminate() == 0)
        await ingest.stop()
    }
}
