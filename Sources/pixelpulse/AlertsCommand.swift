import ArgumentParser
import Foundation
import PixelCore
import PixelPulseClient

struct AlertsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alerts",
        abstract: "Print alerts as they fire and resolve, starting with those firing now.")

    @Option(help: "Only this campaign's alerts (subscribes to its topics only).")
    var campaign: String?

    @OptionGroup var aggregator: SubscriberOptions

    @Flag(help: "Print each alert as its JSON body, one per line.")
    var json = false

    func validate() throws {
        if let campaign, CampaignID(rawValue: campaign) == nil {
            throw ValidationError("--campaign: not a valid campaign id")
        }
    }

    func run() async throws {
        let subscriber = try aggregator.subscriber()
        let prefix = campaign.map { FeedTopic.alerts(campaign: CampaignID(unchecked: $0)) } ?? FeedTopic.alertsPrefix
        if !json { say("following alerts on \(subscriber.feed) (\(prefix))") }
        try await SubscriberFailure.reported {
            try await subscriber.withinTimeout(streams: 1) { [self] arrivals in
                for try await state in subscriber.client.updates(prefix: prefix) {
                    arrivals.arrived(prefix)
                    switch state.event {
                    case .snapshot, .resynced:
                        // What is firing now; after a resync, possibly again.
                        for alert in state.alerts.values.sorted(by: { $0.startsAt < $1.startsAt }) { show(alert) }
                    case .alerts(let alerts):
                        for alert in alerts { show(alert) }
                    case .silent:
                        if !json { say("no news from the aggregator for 3 s; waiting for it") }
                    case .update, .heartbeat:
                        break
                    }
                }
            }
        }
    }

    private func show(_ alert: FeedAlert) {
        guard !json else { return say(String(decoding: alert.body, as: UTF8.self)) }
        let status = alert.isFiring ? "FIRING  " : "RESOLVED"
        say("\(TextFormat.time(alert.time))  \(status)  \(alert.severity)  \(alert.rule)  \(alert.summary)")
    }
}
