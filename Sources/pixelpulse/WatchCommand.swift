import ArgumentParser
import Foundation
import PixelCore
import PixelPulseClient
import Synchronization

struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Show live campaign and pixel stats, and the alerts firing, from an aggregator's feed, refreshing in place.")

    @Option(help: "Show only this campaign (subscribes to its topics only).")
    var campaign: String?

    @OptionGroup var aggregator: SubscriberOptions

    @Option(help: "Windows to show, comma-separated, e.g. 1m,1h (default: all).")
    var window: String?

    @Option(help: "Milliseconds between screen refreshes.")
    var refreshMs: Int = 500

    @Flag(help: "Print the full table and the alerts firing once, as soon as the snapshots have arrived, and exit.")
    var once = false

    /// The table, shared by the task that applies states and the one that redraws.
    private final class SharedTable: Sendable {
        let value = Mutex(FeedTable())
    }

    func validate() throws {
        if let campaign, CampaignID(rawValue: campaign) == nil {
            throw ValidationError("--campaign: not a valid campaign id")
        }
        guard refreshMs > 0 else { throw ValidationError("--refresh-ms must be positive") }
    }

    func run() async throws {
        let endpoint = aggregator.feedEndpoint
        let prefix = campaign.map { FeedTopic.stats(campaign: CampaignID(unchecked: $0)) } ?? FeedTopic.statsPrefix
        let alertsPrefix = campaign.map { FeedTopic.alerts(campaign: CampaignID(unchecked: $0)) } ?? FeedTopic.alertsPrefix
        let windows = Set((window ?? "").split(separator: ",").map(String.init))
        let client = try aggregator.client()
        if once {
            // The first state is complete: the snapshot and the updates that followed it.
            var table = FeedTable()
            for try await state in client.updates(prefix: prefix) {
                table.load(state)
                break
            }
            for try await state in client.updates(prefix: alertsPrefix) {
                table.loadAlerts(state)
                break
            }
            print(table.render(source: endpoint, windows: windows))
            return
        }
        let table = SharedTable()
        let refresh = Duration.milliseconds(refreshMs)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask {
                for try await state in client.updates(prefix: prefix) {
                    table.value.withLock { $0.load(state) }
                }
            }
            tasks.addTask {
                for try await state in client.updates(prefix: alertsPrefix) {
                    table.value.withLock { $0.loadAlerts(state) }
                }
            }
            tasks.addTask {
                // Redraw on a timer, so a silent aggregator shows as such.
                while !Task.isCancelled {
                    let text = table.value.withLock { $0.render(source: endpoint, windows: windows) }
                    print("\u{1B}[H\u{1B}[2J" + text, terminator: "\n")
                    fflush(nil)
                    try await Task.sleep(for: refresh)
                }
            }
            try await tasks.next()
            tasks.cancelAll()
        }
    }
}
