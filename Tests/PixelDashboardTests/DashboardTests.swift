import Foundation
import NIOHTTP1
import PixelAggregator
import PixelCore
@testable import PixelDashboard
import PixelPulseClient
import PixelPulseTesting
import Testing
import ZeroMQ

@Suite(.serialized, .timeLimit(.minutes(2))) struct DashboardTests {
    /// Stats bodies by topic, without `seq` and `time`: a live body and a snapshot's body of
    /// the same counts differ only in those.
    static func counts(_ bodies: [[String: Any]]) -> [String: NSDictionary] {
        Dictionary(uniqueKeysWithValues: bodies.map { body in
            let topic = "stats/\(body["campaign"] as! String)/\(body["pixel"] as? String ?? "*")/"
            return (topic, body["windows"] as! NSDictionary)
        })
    }

    /// Waits until the dashboard on `port` holds the aggregator's state.
    static func waitUntilLoaded(port: Int) async throws {
        try await SSEClient.with(port: port, path: "/v1/stream") { stream in _ = try await loadedState(&stream) }
    }

    /// Waits for the stream's state event of a loaded (not stale) state.
    static func loadedState(_ client: inout SSEClient) async throws -> SSEEvent {
        try await client.next { $0.event == "state" && (try? object($0.data)["stale"] as? Bool) == false }
    }

    @Test func theStateIsTheAggregatorsSnapshotAndTheStreamFollowsIt() async throws {
        let context = try Context()
        let live = try await LiveAggregator.start(context: context)
        try await send(views(120, campaign: "d1", pixels: 4, sequence: 1) + views(30, campaign: "d2", pixels: 2, sequence: 2),
                       to: live.endpoints.ingest, context: context)
        try await withDashboard(feed: live.endpoints.feed, snapshot: live.endpoints.snapshot, context: context) { dashboard in
            let port = try await dashboard.port
            try await SSEClient.with(port: port, path: "/v1/stream") { stream in
            #expect(stream.status == 200)
            #expect(stream.headers["Content-Type"].first == "text/event-stream")
            #expect(stream.headers["Cache-Control"].first == "no-store")
            let first = try #require(try await stream.next())
            #expect(first.event == "state", "a stream starts with the state")
            // The dashboard may hold its snapshot already (the first state is it) or get it next.
            if (try? object(first.data)["stale"] as? Bool) != false { _ = try await Self.loadedState(&stream) }

            // /v1/state holds exactly what a client of the aggregator's snapshot holds.
            var references = FeedClient(feed: live.endpoints.feed, snapshot: live.endpoints.snapshot, context: context)
                .updates(prefix: "stats/").makeAsyncIterator()
            let reference = try #require(try await references.next())
            let response = try await get(port: port, "/v1/state")
            #expect(response.status == 200)
            #expect(response.header("Content-Type") == "application/json")
            let document = try object(response.text)
            let stats = try #require(document["stats"] as? [[String: Any]])
            #expect(Self.counts(stats) == Self.counts(reference.stats.values.map { try! object(String(decoding: $0.body, as: UTF8.self)) }))
            #expect(stats.count == 8, "4 pixels and a rollup, 2 pixels and a rollup")
            #expect(document["startedAt"] as? Int64 == live.aggregator.startedAt)
            #expect(document["stale"] as? Bool == false)
            #expect((document["heartbeat"] as? [String: Any])?["type"] as? String == "heartbeat")
            #expect(document["alerts"] as? [Any] != nil)

            // A prefix selects its topics; every body is the feed's, byte for byte.
            let d2 = try object(try await get(port: port, "/v1/state?prefix=stats/d2/").text)
            #expect((d2["stats"] as? [[String: Any]])?.count == 3)
            #expect(Self.counts(d2["stats"] as? [[String: Any]] ?? [])
                == Self.counts(reference.stats.values.filter { $0.campaign == "d2" }.map { try! object(String(decoding: $0.body, as: UTF8.self)) }))

            // More hits arrive as stats events, with their seq as the id.
            try await send(views(4, campaign: "d1", pixels: 4, sequence: 3), to: live.endpoints.ingest, context: context)
            let update = try await stream.next {
                $0.event == "stats" && (try? object($0.data)["pixel"] as? String) == nil
                    && ((try? object($0.data)["windows"] as? [String: Any])?["1h"] as? [String: Any])?["views"] as? Int == 124
            }
            #expect(UInt64(update.id ?? "") == (try object(update.data)["seq"] as? UInt64))
            }
            #expect(try await get(port: port, "/healthz").status == 200)
        }
        try await live.stop()
    }

    @Test func aSelectionOfRollupsAndPrefixesReadsThoseTopicsInTheStateAndTheStream() async throws {
        let context = try Context()
        let live = try await LiveAggregator.start(context: context)
        try await send(views(20, campaign: "o1", pixels: 2, sequence: 1) + views(10, campaign: "o2", pixels: 2, sequence: 2),
                       to: live.endpoints.ingest, context: context)
        try await withDashboard(feed: live.endpoints.feed, snapshot: live.endpoints.snapshot, context: context) { dashboard in
            let port = try await dashboard.port
            #expect(await eventually { dashboard.hub.state.stats.count == 6 })
            func topics(_ query: String) async throws -> [String] {
                let stats = try object(try await get(port: port, "/v1/state?\(query)").text)["stats"] as? [[String: Any]] ?? []
                return stats.map { "\($0["campaign"] as! String)/\($0["pixel"] as? String ?? "*")" }
            }
            #expect(try await topics("rollups=true") == ["o1/*", "o2/*"])
            #expect(try await topics("rollups=true&prefix=stats/o2/") == ["o1/*", "o2/*", "o2/p0", "o2/p1"])
            #expect(try await topics("prefix=stats/o1/p0/&prefix=stats/o2/p1/") == ["o1/p0", "o2/p1"])
            #expect(try await topics("prefix=alerts/").isEmpty)
            let bad = try await get(port: port, "/v1/state?rollups=yes")
            #expect(bad.status == 400)
            #expect(try object(bad.text)["error"] as? String == #"rollups: true or false, got "yes""#)
            let tooMany = (0...DashboardSelection.maximumPrefixes).map { "prefix=stats/c\($0)/" }.joined(separator: "&")
            #expect(try await get(port: port, "/v1/state?\(tooMany)").status == 400)

            try await SSEClient.with(port: port, path: "/v1/stream?rollups=true&prefix=stats/o2/p1/") { stream in
                _ = try await Self.loadedState(&stream)
                try await send(views(4, campaign: "o1", pixels: 2, sequence: 3) + views(4, campaign: "o2", pixels: 2, sequence: 4),
                               to: live.endpoints.ingest, context: context)
                var seen = Set<String>()
                while seen.count < 3 {
                    let event = try await stream.next { $0.event == "stats" }
                    let body = try object(event.data)
                    seen.insert("\(body["campaign"] as! String)/\(body["pixel"] as? String ?? "*")")
                }
                #expect(seen == ["o1/*", "o2/*", "o2/p1"], "o1/p0, o1/p1 and o2/p0 are not selected")
            }
        }
        try await live.stop()
    }

    @Test func theSeriesOfTheAggregatorComeThroughAsItSentThem() async throws {
        let context = try Context()
        let live = try await LiveAggregator.start(context: context)
        try await send(views(30, campaign: "h1", pixels: 3, sequence: 1) + views(5, campaign: "h2", pixels: 1, sequence: 2),
                       to: live.endpoints.ingest, context: context)
        try await withDashboard(feed: live.endpoints.feed, snapshot: live.endpoints.snapshot, context: context) { dashboard in
            let port = try await dashboard.port
            let response = try await get(port: port, "/v1/series?prefix=stats/&rollups=true&window=1h")
            #expect(response.status == 200)
            #expect(response.header("Content-Type") == "application/json")
            let series = try #require(try object(response.text)["series"] as? [[String: Any]])
            #expect(series.map { $0["campaign"] as? String } == ["h1", "h2"])
            #expect(series.allSatisfy { $0["pixel"] is NSNull && $0["window"] as? String == "1h" && $0["step"] as? Int == 60_000 })
            #expect(series.map { ($0["views"] as? [Int] ?? []).reduce(0, +) } == [30, 5])

            let pixels = try object(try await get(port: port, "/v1/series?prefix=stats/h1/&window=1h").text)["series"] as? [[String: Any]]
            #expect(pixels?.count == 4, "h1's rollup and its three pixels")

            let unknown = try await get(port: port, "/v1/series?prefix=stats/&window=7d")
            #expect(unknown.status == 400)
            let reason = try #require(try object(unknown.text)["error"] as? String)
            #expect(reason.hasPrefix("the aggregator refused the series request: ") && reason.contains("1h"), "\(reason)")
        }
        try await live.stop()
    }

    @Test func aStreamResumesAfterItsLastEventIDOrStartsFromAFreshState() async throws {
        let context = try Context()
        let live = try await LiveAggregator.start(context: context)
        try await send(views(10, campaign: "r1", pixels: 2, sequence: 1), to: live.endpoints.ingest, context: context)
        try await withDashboard(
            feed: live.endpoints.feed, snapshot: live.endpoints.snapshot, context: context, configuration: .init(port: 0, ringCapacity: 16)
        ) { dashboard in
            let port = try await dashboard.port
            let lastID = try await SSEClient.with(port: port, path: "/v1/stream?prefix=stats/r1/") { stream in
                try #require(try await Self.loadedState(&stream).id)
            }

            // Missed while away: replayed, no state first.
            try await send(views(2, campaign: "r1", pixels: 2, sequence: 2), to: live.endpoints.ingest, context: context)
            #expect(await eventually { dashboard.hub.state.stats["stats/r1/*/"]?.windows["1h"]?.views == 12 })
            try await SSEClient.with(port: port, path: "/v1/stream?prefix=stats/r1/", headers: [("Last-Event-ID", lastID)]) { resumed in
                let replayed = try await resumed.next { _ in true }
                #expect(replayed.event == "stats", "a resume replays what was missed")
                #expect(UInt64(replayed.id ?? "")! > UInt64(lastID)!)
            }

            // 41 topics of another campaign overflow the 16-message ring: an id it no longer holds gets a state.
            try await send(views(40, campaign: "r2", pixels: 40, sequence: 3), to: live.endpoints.ingest, context: context)
            #expect(await eventually { dashboard.hub.state.stats["stats/r2/*/"] != nil && dashboard.hub.state.seq > UInt64(lastID)! + 30 })
            try await SSEClient.with(port: port, path: "/v1/stream?prefix=stats/r1/", headers: [("Last-Event-ID", lastID)]) { late in
                let fresh = try await late.next { _ in true }
                #expect(fresh.event == "state", "a too-old id starts from a fresh state")
                #expect(((try object(fresh.data)["stats"]) as? [Any])?.count == 3)
            }
        }
        try await live.stop()
    }

    @Test func aSilentAggregatorMakesTheStreamStaleAndItsRestartAFreshState() async throws {
        let context = try Context()
        let endpoints = try LiveAggregator.Endpoints.ipc()
        let first = try await LiveAggregator.start(LiveAggregator.configuration(endpoints), context: context)
        try await send(views(8, campaign: "s1", pixels: 2, sequence: 1), to: endpoints.ingest, context: context)
        try await withDashboard(feed: endpoints.feed, snapshot: endpoints.snapshot, context: context) { dashboard in
            let port = try await dashboard.port
            try await SSEClient.with(port: port, path: "/v1/stream") { stream in
            _ = try await Self.loadedState(&stream)
            try await first.stop()
            let stale = try await stream.next { $0.event == "stale" }
            let since = try #require(try object(stale.data)["since"] as? Int64)
            #expect(since > 0 && since <= WallClock.milliseconds())
            #expect(try object(try await get(port: port, "/v1/state").text)["stale"] as? Bool == true)

            let second = try await LiveAggregator.start(LiveAggregator.configuration(endpoints), context: context)
            let state = try await Self.loadedState(&stream)
            #expect(try object(state.data)["startedAt"] as? Int64 == second.aggregator.startedAt)
            try await second.stop()
            }
        }
    }

    /// `sse_check.py`, a standard-library Python reader, as a browser-like client: the state,
    /// then the updates; then away and back with the last id it saw.
    @Test func pythonReadsTheStateThenTheUpdatesAndResumesAfterItsLastEventID() async throws {
        let context = try Context()
        let live = try await LiveAggregator.start(context: context)
        try await send(views(6, campaign: "pr", pixels: 1, sequence: 1), to: live.endpoints.ingest, context: context)
        try await withDashboard(feed: live.endpoints.feed, snapshot: live.endpoints.snapshot, context: context) { dashboard in
            let port = try await dashboard.port
            let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("sse_check.py").path
            try await Self.waitUntilLoaded(port: port)
            let url = "http://127.0.0.1:\(port)/v1/stream?prefix=stats/pr/"
            let first = try ChildProcess(["python3", script, url, "stats/pr/p0/", "8"])
            let state = try #require(await first.line())
            #expect(state.hasPrefix("state "))
            let lastID = String(state.dropFirst("state ".count))
            try await send(views(2, campaign: "pr", pixels: 1, sequence: 2), to: live.endpoints.ingest, context: context)
            #expect(await first.line()?.hasSuffix(" 8") == true)
            // Away, then back with the last id seen: the updates since then, no state.
            let resumed = try ChildProcess(["python3", script, url, "stats/pr/p0/", "8", lastID])
            #expect(await resumed.line()?.hasPrefix("resumed ") == true)
            #expect(await resumed.line()?.hasSuffix(" 8") == true)
            #expect(await resumed.exitStatus() == 0)
        }
        try await live.stop()
    }

    @Test func curlReadsTheStreamAsText() async throws {
        let context = try Context()
        let live = try await LiveAggregator.start(context: context)
        try await send(views(3, campaign: "cu", pixels: 1, sequence: 1), to: live.endpoints.ingest, context: context)
        try await withDashboard(feed: live.endpoints.feed, snapshot: live.endpoints.snapshot, context: context) { dashboard in
            let port = try await dashboard.port
            try await Self.waitUntilLoaded(port: port)
            let curl = try ChildProcess(["curl", "-sN", "--max-time", "60", "http://127.0.0.1:\(port)/v1/stream?prefix=stats/cu/"])
            #expect(await curl.line() == "event: state")
            let id = try #require(await curl.line())
            #expect(id.hasPrefix("id: "))
            let data = try #require(await curl.line())
            let state = try object(String(data.dropFirst("data: ".count)))
            #expect("id: \(state["seq"] as? Int ?? -1)" == id)
            #expect((state["stats"] as? [[String: Any]])?.count == 2, "cu's rollup and pixel")
            try await send(views(1, campaign: "cu", pixels: 1, sequence: 2), to: live.endpoints.ingest, context: context)
            var lines: [String] = []
            while let line = await curl.line(), !(line.hasPrefix("data: ") && line.contains(#""views":4"#)) { lines.append(line) }
            #expect(lines.contains("event: stats"))
        }
        try await live.stop()
    }

    @Test func aClientThatStopsReadingHasItsConnectionCut() async throws {
        let context = try Context()
        let live = try await LiveAggregator.start(context: context)
        try await send(views(1, campaign: "sl", pixels: 1, sequence: 1), to: live.endpoints.ingest, context: context)
        try await withDashboard(
            feed: live.endpoints.feed, snapshot: live.endpoints.snapshot, context: context,
            configuration: .init(port: 0, clientQueueLimit: 64 << 10)
        ) { dashboard in
            let port = try await dashboard.port
            #expect(await eventually { dashboard.hub.state.isLoaded })
            let reader = try StalledReader(port: port, path: "/v1/stream")
            // Updates of 300 keys a batch until the stream is more than 64 KiB behind.
            var sequence: UInt64 = 2
            while dashboard.hub.slowClientsClosed == 0 {
                try await send(views(300, campaign: "sl", pixels: 300, sequence: sequence), to: live.endpoints.ingest, context: context)
                sequence += 1
                #expect(sequence < 2_000, "the stalled stream was never closed")
                if sequence >= 2_000 { return }
            }
            let received = try await onSocketThread { try reader.readToEnd(timeout: .seconds(60)) }
            #expect(received.closed, "the server closed the connection")
            #expect(!received.bytes.suffix(5).elementsEqual(Array("0\r\n\r\n".utf8)), "cut, not a finished response")
            #expect(dashboard.hub.clients == 0)
        }
        try await live.stop()
    }

    @Test func keepAliveCommentsComeOnTheirTimer() async throws {
        let context = try Context()
        let live = try await LiveAggregator.start(context: context)
        try await withDashboard(
            feed: live.endpoints.feed, snapshot: live.endpoints.snapshot, context: context,
            configuration: .init(port: 0, keepAliveInterval: .milliseconds(50))
        ) { dashboard in
            try await SSEClient.with(port: try await dashboard.port, path: "/v1/stream?prefix=stats/none/") { stream in
                var comment: String?
                while comment == nil, let event = try await stream.next() { comment = event.comment }
                #expect(comment == "keep-alive")
            }
        }
        try await live.stop()
    }

    @Test func aTokenIsRequiredWhenGiven() async throws {
        let context = try Context()
        let live = try await LiveAggregator.start(context: context)
        let token = "a-token-of-twenty-chars"
        try await withDashboard(
            feed: live.endpoints.feed, snapshot: live.endpoints.snapshot, context: context,
            configuration: .init(host: "0.0.0.0", port: 0, access: .token(token))
        ) { dashboard in
            let port = try await dashboard.port
            #expect(try await get(port: port, "/v1/state").status == 401)
            #expect(try await get(port: port, "/v1/state", headers: [("Authorization", "Bearer wrong-token-of-twenty-c")]).status == 401)
            #expect(try await get(port: port, "/v1/state?token=\(token.dropLast())").status == 401)
            #expect(try await get(port: port, "/v1/state", headers: [("Authorization", "Bearer \(token)")]).status == 200)
            #expect(try await get(port: port, "/healthz?token=\(token)").status == 200)
            try await SSEClient.with(port: port, path: "/v1/stream?token=\(token)") { stream in
                #expect(stream.status == 200)
                let first = try await stream.next()
                #expect(first?.event == "state")
            }
        }
        try await live.stop()
    }
}
