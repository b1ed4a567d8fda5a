import ArgumentParser
import Foundation
import PixelCore
import Synchronization
import ZeroMQ

struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Show live campaign and pixel stats from an aggregator's feed, refreshing in place.")

    @Option(help: "Show only this campaign (subscribes to its topics only).")
    var campaign: String?

    @Option(help: "The aggregator's feed endpoint. (env PIXELPULSE_FEED; default tcp://127.0.0.1:5571)")
    var connect: String?

    @Option(help: "Windows to show, comma-separated, e.g. 1m,1h (default: all).")
    var window: String?

    @Option(help: "Milliseconds between screen refreshes.")
    var refreshMs: Int = 500

    @Flag(help: "Print the table once, after the first heartbeat and one refresh, and exit.")
    var once = false

    func validate() throws {
        if let campaign, CampaignID(rawValue: campaign) == nil {
            throw ValidationError("--campaign: not a valid campaign id")
        }
        guard refreshMs > 0 else { throw ValidationError("--refresh-ms must be positive") }
    }

    func run() async throws {
        let endpoint = connect ?? environment("PIXELPULSE_FEED") ?? "tcp://127.0.0.1:5571"
        let prefix = campaign.map { FeedTopic.stats(campaign: CampaignID(unchecked: $0)) } ?? FeedTopic.statsPrefix
        let windows = Set((window ?? "").split(separator: ",").map(String.init))
        let context = try Context()
        let (refreshMs, once) = (refreshMs, once)
        let finished = OneShot<Void>()
        _ = ZMQThread.start(name: "pp-watch") {
            finished.resolve(Result {
                try Self.watch(context: context, endpoint: endpoint, prefix: prefix, windows: windows,
                               refresh: .milliseconds(refreshMs), once: once)
            })
        }
        try await finished.value
    }

    /// Subscribes and redraws on its own thread until interrupted (or once, with `once`).
    private static func watch(
        context: Context, endpoint: String, prefix: String, windows: Set<String>, refresh: Duration, once: Bool
    ) throws {
        let sub = try context.socket(.sub)
        defer { sub.close() }
        try sub.set(.linger, to: .zero)
        try sub.subscribe(prefix)
        try sub.subscribe(FeedTopic.heartbeat)
        try sub.connect(endpoint)
        let poller = Poller()
        poller.register(sub)
        var table = FeedTable()
        var lastDraw = ContinuousClock.now - refresh
        var heartbeatSeen: ContinuousClock.Instant?
        while true {
            if try poller.poll(timeout: .milliseconds(100)) > 0 {
                while let frames = try sub.tryReceiveMultipart(), frames.count == 2 {
                    let topic = String(decoding: frames[0], as: UTF8.self)
                    table.apply(topic: topic, body: frames[1])
                    if topic == FeedTopic.heartbeat, heartbeatSeen == nil { heartbeatSeen = .now }
                }
            }
            guard ContinuousClock.now - lastDraw >= refresh else { continue }
            lastDraw = .now
            let text = table.render(source: endpoint, windows: windows)
            if once {
                guard let seen = heartbeatSeen, ContinuousClock.now - seen >= refresh else { continue }
                print(text)
                return
            }
            print("\u{1B}[H\u{1B}[2J" + text, terminator: "\n")
            fflush(nil)
        }
    }
}
