import ArgumentParser
import AsyncAlgorithms
import Foundation
import PixelCore
import PixelPulseClient
import Synchronization
import UnixSignals

struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Show live campaign and pixel stats, and the alerts firing, from an aggregator's feed, refreshing in place.",
        discussion: """
            In a terminal the view fits the window and redraws when it is resized: narrow ones drop the \
            least important columns, short ones show fewer windows and then only the busiest keys, with a \
            last line saying what was left out. Piped, or with --once, the full table is printed. \
            VALUE is the conversion value in currency units (minor units ÷ 100).
            """)

    @Option(help: "Show only this campaign (subscribes to its topics only).")
    var campaign: String?

    @OptionGroup var aggregator: SubscriberOptions

    @Option(help: "Windows to show, comma-separated, e.g. 1m,1h: windows the aggregator keeps (default: all).")
    var window: String?

    @Option(help: "Milliseconds between screen refreshes.")
    var refreshMs: Int = 500

    @Flag(help: "Print the full table and the alerts firing once, as soon as the snapshots have arrived, and exit.")
    var once = false

    /// The table, shared by the tasks that apply states and the one that draws.
    private final class SharedTable: Sendable {
        let value = Mutex(FeedTable())
    }

    private enum Redraw: Sendable {
        /// The refresh timer.
        case tick
        /// A snapshot, a resync, a silence or an alert: shown at once.
        case news
        case signal(UnixSignal)
    }

    func validate() throws {
        if let campaign, CampaignID(rawValue: campaign) == nil {
            throw ValidationError("--campaign: not a valid campaign id")
        }
        guard refreshMs > 0 else { throw ValidationError("--refresh-ms must be positive") }
        _ = try FeedTable.windowNames(window)
    }

    func run() async throws {
        let subscriber = try aggregator.subscriber()
        let windows = try FeedTable.windowNames(window)
        let prefixes = (
            stats: campaign.map { FeedTopic.stats(campaign: CampaignID(unchecked: $0)) } ?? FeedTopic.statsPrefix,
            alerts: campaign.map { FeedTopic.alerts(campaign: CampaignID(unchecked: $0)) } ?? FeedTopic.alertsPrefix)
        try await SubscriberFailure.reported {
            if once {
                // The first state of each is complete: the snapshot and the updates that followed it.
                let states = try await subscriber.firstStates([prefixes.stats, prefixes.alerts])
                var table = FeedTable()
                table.load(states[0])
                table.loadAlerts(states[1])
                try table.check(windows: windows, source: subscriber.feed)
                say(table.render(source: subscriber.feed, windows: windows, screen: nil, now: WallClock.milliseconds()).joined(separator: "\n"))
            } else {
                try await follow(subscriber, prefixes: prefixes, windows: windows)
            }
        }
    }

    /// Follows both streams and redraws on a timer, so a silent aggregator shows as such. In
    /// a terminal: full screen, fitted to its size, redrawn at once on SIGWINCH, and left
    /// as it was on SIGINT or SIGTERM.
    private func follow(_ subscriber: Subscriber, prefixes: (stats: String, alerts: String), windows: [String]) async throws {
        let table = SharedTable()
        let client = subscriber.client
        let source = subscriber.feed
        let fullScreen = Terminal.size() != nil
        let signals = await UnixSignalsSequence(trapping: fullScreen ? [.sigwinch, .sigint, .sigterm] : [])
        @Sendable func draw() {
            // The size is read at every draw: a resize shows at the next one even without its signal.
            let size = fullScreen ? Terminal.size() : nil
            let lines = table.value.withLock { $0.render(source: source, windows: windows, screen: size, now: WallClock.milliseconds()) }
            Terminal.write(size.map { Terminal.frame(lines, rows: $0.rows) } ?? "\u{1B}[H\u{1B}[2J" + lines.joined(separator: "\n") + "\n")
        }
        let (newsEvents, news) = AsyncStream<Redraw>.makeStream(bufferingPolicy: .bufferingNewest(1))
        if fullScreen { Terminal.write(Terminal.enterFullScreen) }
        defer { if fullScreen { Terminal.write(Terminal.leaveFullScreen) } }
        try await subscriber.withinTimeout(streams: 2) { arrivals in
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask {
                    for try await state in client.updates(prefix: prefixes.stats) {
                        arrivals.arrived(prefixes.stats)
                        try table.value.withLock { table in
                            table.load(state)
                            try table.check(windows: windows, source: source)
                        }
                        if Self.redrawsAtOnce(state.event) { news.yield(.news) }
                    }
                }
                tasks.addTask {
                    for try await state in client.updates(prefix: prefixes.alerts) {
                        arrivals.arrived(prefixes.alerts)
                        table.value.withLock { $0.loadAlerts(state) }
                        if Self.redrawsAtOnce(state.event) { news.yield(.news) }
                    }
                }
                tasks.addTask {
                    draw()
                    let ticks = AsyncTimerSequence(interval: .milliseconds(refreshMs), clock: .continuous).map { _ in Redraw.tick }
                    for await event in merge(ticks, newsEvents, signals.map { Redraw.signal($0) }) {
                        if case .signal(let signal) = event, signal != .sigwinch { return }
                        draw()
                    }
                }
                try await tasks.next()
                tasks.cancelAll()
            }
        }
    }

    /// Whether a state changes what shows enough to redraw before the next refresh: the
    /// first state (the table is complete), a resync or a silence, an alert.
    private static func redrawsAtOnce(_ event: FeedEvent) -> Bool {
        switch event {
        case .snapshot, .resynced, .silent, .alerts: true
        case .update, .heartbeat: false
        }
    }
}
