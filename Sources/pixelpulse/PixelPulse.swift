import ArgumentParser

/// `pixelpulse`: the one executable. Each subcommand wires the library modules for one role.
@main
struct PixelPulse: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pixelpulse",
        abstract: "Real-time tracking-pixel analytics: collectors, aggregator and live feed.",
        discussion: """
            Start everything on this machine with live demo traffic:
              pixelpulse serve --demo
            then watch it, list what it counts, and follow its alerts:
              pixelpulse watch
              pixelpulse top
              pixelpulse alerts
            Serve the live feed to browsers (JSON and Server-Sent Events):
              pixelpulse dashboard
            Sign a tracking link for an email or an ad:
              pixelpulse link --campaign spring-sale --link mail --to https://shop.example/spring --link-secrets-file link.secrets
            """,
        subcommands: [
            ServeCommand.self, AggregatorCommand.self, CollectorCommand.self, WatchCommand.self, TopCommand.self, AlertsCommand.self,
            KeysCommand.self, LinkCommand.self, DashboardCommand.self,
        ]
    )
}
