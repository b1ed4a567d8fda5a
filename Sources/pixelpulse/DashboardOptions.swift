import ArgumentParser
import PixelDashboard

/// Who may read the dashboard, for `dashboard` and `serve`.
struct DashboardAccessOptions: ParsableArguments {
    @Option(help: "Require this token on every dashboard request: Authorization: Bearer TOKEN, or ?token=TOKEN for EventSource. (env PIXELPULSE_DASHBOARD_TOKEN)")
    var dashboardToken: String?

    @Flag(help: "Let anyone who can reach the dashboard read it, when it listens beyond loopback without a token.")
    var openDashboard = false

    /// The dashboard's configuration for `address` (HOST:PORT, from the option `flag`):
    /// beyond loopback it needs a token or `--open-dashboard`.
    func configuration(address: String, flag: String) throws -> Dashboard.Configuration {
        var host = Substring(address)
        guard let colon = host.lastIndex(of: ":"), let port = Int(host[host.index(after: colon)...]), (0...65535).contains(port),
              colon > host.startIndex else {
            throw ValidationError("\(flag) must be HOST:PORT, got \"\(address)\"")
        }
        host = host[..<colon]
        if host.hasPrefix("["), host.hasSuffix("]") { host = host.dropFirst().dropLast() }
        let token = dashboardToken ?? environment("PIXELPULSE_DASHBOARD_TOKEN")
        if let token, token.utf8.count < 16 {
            throw ValidationError("--dashboard-token: at least 16 characters (openssl rand -hex 16 makes one)")
        }
        let access: DashboardAccess = token.map { .token($0) } ?? .open
        if token == nil, !openDashboard, !DashboardAccess.isLoopback(String(host)) {
            throw ValidationError("""
                the dashboard at \(address) would be readable by anyone who can reach it; give --dashboard-token TOKEN \
                (or PIXELPULSE_DASHBOARD_TOKEN) to require a token, or --open-dashboard to allow that explicitly
                """)
        }
        return Dashboard.Configuration(host: String(host), port: port, access: access)
    }
}
