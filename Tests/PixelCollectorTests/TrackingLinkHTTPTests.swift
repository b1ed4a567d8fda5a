import Foundation
@testable import PixelCollector
import PixelCore
import PixelPulseTesting
import Testing
import ZeroMQ

/// Tracking links over real HTTP, against a collector forwarding to a real ROUTER.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct TrackingLinkHTTPTests {
    static let secret = Array("links-secret-0123456789abcdef".utf8)
    static let keys = LinkKeys(secrets: [secret])
    static let desktop = [("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36")]

    /// A signed link's target, `/r/…`.
    static func target(
        _ campaign: CampaignID = "spring", _ link: PixelID = "hero", to: String = "https://shop.example/spring?a=1#top",
        px: PixelSetName? = nil, keys: LinkKeys = keys
    ) throws -> String {
        let link = TrackingLink(campaign: campaign, link: link, destination: try Destination(validating: to), pixelSet: px)
        return String(link.url(base: "", keys: keys))
    }

    private func start(
        _ ingest: IngestStandIn, _ context: Context, logs: LogCapture = LogCapture(), _ configure: (inout CollectorConfiguration) -> Void = { _ in }
    ) async throws -> RunningCollector {
        try await RunningCollector.start(ingest: ingest.endpoint, context: context, logger: logs.logger) {
            $0.linkSecrets = [Self.secret]
            configure(&$0)
        }
    }

    @Test func aSignedLinkCountsAClickAndRedirectsWithAClickID() async throws {
        let context = try Context()
        let ingest = try IngestStandIn.start(context: context)
        let collector = try await start(ingest, context)

        let response = try await TestHTTPConnection.request(port: collector.port, "GET", try Self.target(), headers: Self.desktop)
        #expect(response.status == 302)
        #expect(response.body.isEmpty)
        #expect(response.header("Cache-Control") == "no-store")
        #expect(response.header("Referrer-Policy") == "strict-origin-when-cross-origin")
        #expect(response.header("Content-Length") == "0")
        let location = try #require(response.header("Location"))
        #expect(location.hasPrefix("https://shop.example/spring?a=1&ppclid="))
        #expect(location.hasSuffix("#top"))
        let token = location.dropFirst("https://shop.example/spring?a=1&ppclid=".count).dropLast("#top".count)
        let click = try ClickID(token: token, keys: Self.keys)
        #expect(click.campaign == "spring" && click.link == "hero")

        let hits = await ingest.events(count: 1).flatMap(\.hits)
        #expect(hits.count == 1)
        #expect(hits.first?.kind == .click && hits.first?.campaign == "spring" && hits.first?.pixel == "hero")
        #expect(hits.first?.device == .desktop && hits.first?.visitor != nil)
        #expect(hits.first?.time == click.time)
        #expect(collector.sample("pixelpulse_collector_link_clicks_total", #"answer="redirect""#) == 1)
        #expect(collector.sample("pixelpulse_collector_hits_total", #"kind="click""#) == 1)

        // The keys the collector holds sign and verify the same.
        #expect(try ClickID(token: token, keys: await collector.collector.links.keys) == click)
        try await collector.stop()
        await ingest.stop()
    }

    /// Every refusal is `400` with its one-line reason, counted, and never forwarded.
    @Test func refusedLinksAre400WithTheReasonAndNeverCount() async throws {
        let context = try Context()
        let ingest = try IngestStandIn.start(context: context)
        let collector = try await start(ingest, context)
        let signed = try Self.target()
        let signature = String(signed[signed.range(of: "&sig=")!.upperBound...])
        let otherKeys = LinkKeys(secrets: [Array("another-secret-0123456789".utf8)])
        let cases: [(String, String, String)] = [
            ("/r/spring/hero?to=https%3A%2F%2Fshop.example%2F", "missing_signature",
             "tracking link refused: it has no signature (sign links with pixelpulse link)"),
            (try Self.target(keys: otherKeys), "bad_signature", "tracking link refused: the signature does not match (sign links with pixelpulse link)"),
            ("/r/spring/hero?to=https%3A%2F%2Fevil.example%2Fspring%3Fa%3D1%23top&sig=\(signature)", "bad_signature", "the signature does not match"),
            ("/r/spring/other?to=https%3A%2F%2Fshop.example%2Fspring%3Fa%3D1%23top&sig=\(signature)", "bad_signature", "the signature does not match"),
            (signed + "&px=spring", "bad_signature", "the signature does not match"),
            ("/r/spring/hero?to=https%3A%2F%2Fshop.example%2F&px=spring", "unsigned_pixel_set", "a link with a pixel set (px) must be signed"),
            ("/r/spring/hero?to=%2F%2Fevil.com&sig=x", "invalid_destination",
             "tracking link refused: the destination is not an absolute http:// or https:// URL"),
            ("/r/spring/hero?to=javascript%3Aalert(1)", "invalid_destination", "the destination has a scheme other than http and https"),
            ("/r/spring/hero?to=https%3A%2F%2Fgood.com%40evil.com", "invalid_destination", "the destination has a user name or password"),
            ("/r/spring/hero?to=https%3A%2F%2Fevil.com%5C%40good.com", "invalid_destination", "backslash"),
            ("/r/spring/hero?to=https%3A%2F%2Fgood.com%2F%0D%0ASet-Cookie%3Ax", "invalid_destination", "a space or a control byte"),
            ("/r/spring/hero?to=https%3A%2F%2Fevil%E3%80%82com", "invalid_destination", "outside ASCII"),
            ("/r/spring/hero", "invalid_destination", "the destination is empty"),
            ("/r/spring/hero?to=https%3A%2F%2Fshop.example%2F&to=https%3A%2F%2Fevil.example%2F", "malformed_query", "twice"),
            ("/r/spring/hero?to=%zz", "malformed_query", "a bad % escape"),
            ("/r/spring/hero?to=https%3A%2F%2Fshop.example%2F&x=\(String(repeating: "a", count: 4100))", "query_too_long", "over 4096 bytes"),
            ("/r/spring/hero?to=https%3A%2F%2Fshop.example%2F&px=a%2Fb", "invalid_pixel_set", "the pixel set's name"),
            ("/r/spr%20ing/hero?to=https%3A%2F%2Fshop.example%2F", "invalid_campaign", "the campaign id"),
            ("/r/spring/he$ro?to=https%3A%2F%2Fshop.example%2F", "invalid_link", "the link id"),
            ("/r/spring?to=https%3A%2F%2Fshop.example%2F", "malformed_path", "/r/{campaign}/{link}"),
            ("/r/spring/hero/x?to=https%3A%2F%2Fshop.example%2F", "malformed_path", "/r/{campaign}/{link}"),
        ]
        var counts: [String: Int] = [:]
        try await TestHTTPConnection.with(port: collector.port) { connection in
            for (target, reason, message) in cases {
                let response = try await connection.request("GET", target, headers: Self.desktop)
                #expect(response.status == 400, "\(target)")
                #expect(response.header("Location") == nil)
                #expect(response.header("Content-Type") == "text/plain; charset=utf-8")
                #expect(response.text.hasPrefix("tracking link refused: ") && response.text.contains(message), "\(target): \(response.text)")
                #expect(response.text.firstIndex(of: "\n") == response.text.index(before: response.text.endIndex), "one line")
                counts[reason, default: 0] += 1
            }
        }
        for (reason, count) in counts {
            #expect(collector.sample("pixelpulse_collector_link_refused_total", "reason=\"\(reason)\"") == count, "\(reason)")
        }
        #expect(collector.sample("pixelpulse_collector_http_errors_total", #"status="400""#) == cases.count)
        try await collector.stop()
        #expect(ingest.batches.drain().isEmpty)
        await ingest.stop()
    }

    @Test func anAllowlistedHostNeedsNoSignatureUnlessItFiresPixels() async throws {
        let context = try Context()
        let ingest = try IngestStandIn.start(context: context)
        let collector = try await start(ingest, context) { $0.linkAllowedHosts = try! LinkAllowlist(parsing: "*.shop.example") }
        try await TestHTTPConnection.with(port: collector.port) { connection in
            let allowed = try await connection.request("GET", "/r/spring/hero?to=https%3A%2F%2Fwww.shop.example%2Fx", headers: Self.desktop)
            #expect(allowed.status == 302)
            #expect(allowed.header("Location")?.hasPrefix("https://www.shop.example/x?ppclid=") == true)
            let other = try await connection.request("GET", "/r/spring/hero?to=https%3A%2F%2Fshop.example%2Fx", headers: Self.desktop)
            #expect(other.status == 400)
            #expect(other.text.contains("not in --link-allow-hosts"))
            let pixels = try await connection.request("GET", "/r/spring/hero?to=https%3A%2F%2Fwww.shop.example%2Fx&px=spring")
            #expect(pixels.status == 400)
        }
        #expect(await ingest.events(count: 1).flatMap(\.hits).map(\.kind) == [.click])
        #expect(collector.sample("pixelpulse_collector_link_refused_total", #"reason="destination_not_allowed""#) == 1)
        #expect(collector.sample("pixelpulse_collector_link_refused_total", #"reason="unsigned_pixel_set""#) == 1)
        try await collector.stop()
        await ingest.stop()
    }

    /// Bots, link previewers and prefetches get a plain redirect and count as bots; servers
    /// (curl) count as clicks; `HEAD` is never counted.
    @Test func botsPreviewersAndPrefetchesArePlainRedirectsCountedAsBots() async throws {
        let context = try Context()
        let ingest = try IngestStandIn.start(context: context)
        let collector = try await start(ingest, context) { $0.pixelSets = PixelSets(["spring": [.meta("1234567890")]]) }
        let target = try Self.target(px: "spring")
        let bots: [[(String, String)]] = [
            [("User-Agent", "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)")],
            [("User-Agent", "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)")],
            [("User-Agent", "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)")],
            [("User-Agent", "WhatsApp/2.23.20.0 A")],
            Self.desktop + [("Sec-Purpose", "prefetch;prerender")],
            Self.desktop + [("Purpose", "prefetch")],
            Self.desktop + [("X-Moz", "prefetch")],
        ]
        try await TestHTTPConnection.with(port: collector.port) { connection in
            for headers in bots {
                let response = try await connection.request("GET", target, headers: headers)
                #expect(response.status == 302, "\(headers)")
                #expect(response.header("Location") == "https://shop.example/spring?a=1#top", "no click id: \(headers)")
            }
            let head = try await connection.request("HEAD", target, headers: Self.desktop)
            #expect(head.status == 302)
            #expect(head.header("Location") == "https://shop.example/spring?a=1#top")
            let curl = try await connection.request("GET", try Self.target(), headers: [("User-Agent", "curl/8.5.0")])
            #expect(curl.header("Location")?.contains("ppclid=") == true)
            #expect(try await connection.request("POST", target, body: []).status == 405)
        }
        let hits = await ingest.events(count: bots.count + 1).flatMap(\.hits)
        #expect(hits.map(\.kind) == Array(repeating: .bot, count: bots.count) + [.click])
        #expect(hits.dropLast().allSatisfy { $0.campaign == "spring" && $0.pixel == "hero" && $0.visitor == nil && $0.eventID == nil })
        #expect(hits.last?.device == .server)
        #expect(collector.sample("pixelpulse_collector_bots_total", #"route="link""#) == bots.count)
        #expect(collector.sample("pixelpulse_collector_hits_total", #"kind="bot""#) == bots.count)
        #expect(collector.sample("pixelpulse_collector_link_clicks_total", #"answer="pixel_page""#) == 0)
        try await collector.stop()
        #expect(ingest.batches.drain().isEmpty, "the HEAD never arrives")
        await ingest.stop()
    }

    @Test func aPixelSetAnswersThePageAndAMissingSetAPlainRedirect() async throws {
        let context = try Context()
        let ingest = try IngestStandIn.start(context: context)
        let logs = LogCapture()
        let collector = try await start(ingest, context, logs: logs) {
            $0.pixelSets = PixelSets(["spring": [.meta("1234567890"), .image(try! Destination(validating: "https://ads.example/px.gif"))]])
        }
        try await TestHTTPConnection.with(port: collector.port) { connection in
            let page = try await connection.request("GET", try Self.target(px: "spring"), headers: Self.desktop)
            #expect(page.status == 200)
            #expect(page.header("Content-Type") == "text/html; charset=utf-8")
            #expect(page.header("Cache-Control") == "no-store")
            #expect(page.header("Content-Security-Policy")?.contains("img-src https://www.facebook.com https://ads.example;") == true)
            #expect(page.text.contains(#"<noscript><meta http-equiv="refresh" content="0;url=https://shop.example/spring?a=1&amp;ppclid="#))
            #expect(page.text.contains("location.replace(d)"))
            for _ in 0..<2 {
                let missing = try await connection.request("GET", try Self.target(px: "autumn"), headers: Self.desktop)
                #expect(missing.status == 302)
                #expect(missing.header("Location")?.contains("ppclid=") == true)
            }
        }
        #expect(await logs.line(containing: "pixel set that is not loaded")?.contains("pixel_set=autumn") == true)
        #expect(await ingest.events(count: 3).flatMap(\.hits).map(\.kind) == [.click, .click, .click])
        #expect(collector.sample("pixelpulse_collector_link_clicks_total", #"answer="pixel_page""#) == 1)
        #expect(collector.sample("pixelpulse_collector_link_clicks_total", #"answer="redirect""#) == 2)
        #expect(collector.sample("pixelpulse_collector_link_pixel_set_missing_total") == 2)

        // Sets and secrets replaced while serving: the new set answers, and a link signed
        // by the second of two secrets verifies.
        let links = try await collector.collector.links
        links.replacePixelSets(PixelSets(["autumn": [.linkedin("123")]]))
        let newKeys = LinkKeys(secrets: [Array("a-rotated-secret-0123456789".utf8), Self.secret])
        links.replaceKeys(newKeys)
        let autumn = try await TestHTTPConnection.request(port: collector.port, "GET", try Self.target(px: "autumn"), headers: Self.desktop)
        #expect(autumn.status == 200 && autumn.text.contains("linkedin"))
        let rotated = try await TestHTTPConnection.request(port: collector.port, "GET", try Self.target(keys: newKeys), headers: Self.desktop)
        #expect(rotated.status == 302)
        #expect(await logs.line(containing: "pixel set that is not loaded", timeout: .milliseconds(200)) == nil, "logged once")
        try await collector.stop()
        await ingest.stop()
    }
}
