import AsyncAlgorithms
import Foundation
import Logging
import PixelSupport
import ServiceLifecycle
import ZeroMQ
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Synthetic visitors for `serve --demo`: real HTTP hits on the collector for a few
/// campaigns and pixels, views ≫ clicks ≫ conversions, with rates that drift over minutes,
/// and one pixel that breaks now and then so the built-in alerts have something to show.
/// Each visit comes from one of a campaign's returning visitors (its own user agent), so
/// unique visitors fall short of views as they would; each visitor has a real browser's
/// agent and came by one channel, so the campaigns' segments have something to show.
struct DemoTraffic: Service {
    let port: OneShot<Int>
    let logger: Logger

    static let campaigns: [(campaign: String, pixels: [String], viewsPerSecond: Double, visitors: Int)] = [
        ("spring-sale", ["hero", "sidebar", "newsletter"], 60, 20_000),
        ("brand", ["homepage", "video"], 30, 5000),
        ("retarget", ["cart", "checkout", "email"], 15, 600),
    ]

    /// The agents visitors' browsers send, each followed by the visitor's own tag.
    static let agents = [
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
    ]
    /// Where visitors came from: the query each of their hits carries.
    static let channels = [
        "utm_source=newsletter&utm_medium=email", "ref=https%3A%2F%2Fwww.google.com%2F",
        "ref=https%3A%2F%2Fl.facebook.com%2F", "utm_source=facebook&utm_medium=cpc", "",
    ]

    /// `spring-sale/newsletter` receives nothing for 8 minutes of every 30, from minute 12:
    /// long enough for the built-in rules (5m against 1h) to fire, then resolve.
    static func isBroken(pixel: String, minutes: Double) -> Bool {
        pixel == "newsletter" && (12..<20).contains(minutes.truncatingRemainder(dividingBy: 30))
    }

    func run() async throws {
        let base = "http://127.0.0.1:\(try await port.value)"
        logger.info("Demo traffic started", metadata: ["demo.target": "\(base)"])
        let session = URLSession(configuration: .ephemeral)
        var generator = SystemRandomNumberGenerator()
        let start = ContinuousClock.now
        let tick = Duration.milliseconds(100)
        for await _ in AsyncTimerSequence(interval: tick, clock: .continuous).cancelOnGracefulShutdown() {
            let minutes = (ContinuousClock.now - start).inSeconds.rounded(.down) / 60
            var requests: [URLRequest] = []
            for (index, entry) in Self.campaigns.enumerated() {
                // Each campaign's rate and conversion rate drift on their own slow waves.
                let drift = 1 + 0.5 * sin(minutes * 2 * .pi / 5 + Double(index))
                let conversionRate = 0.08 * (1 + 0.6 * sin(minutes * 2 * .pi / 7 + Double(index) * 2))
                for pixel in entry.pixels where !Self.isBroken(pixel: pixel, minutes: minutes) {
                    let views = entry.viewsPerSecond * drift / Double(entry.pixels.count) / 10
                    for _ in 0..<Self.poisson(views, using: &generator) {
                        let number = Int.random(in: 0..<entry.visitors, using: &generator)
                        let visitor = "\(Self.agents[number % Self.agents.count]) PixelPulse-demo/\(entry.campaign)-\(number)"
                        let channel = Self.channels[number / Self.agents.count % Self.channels.count]
                        func hit(_ query: String) {
                            let parameters = [query, channel].filter { !$0.isEmpty }.joined(separator: "&")
                            let target = "\(base)/p/\(entry.campaign)/\(pixel).gif\(parameters.isEmpty ? "" : "?" + parameters)"
                            var request = URLRequest(url: URL(string: target)!)
                            request.setValue(visitor, forHTTPHeaderField: "User-Agent")
                            requests.append(request)
                        }
                        hit("")
                        guard Double.random(in: 0..<1, using: &generator) < 0.04 else { continue }
                        hit("e=click")
                        guard Double.random(in: 0..<1, using: &generator) < conversionRate else { continue }
                        let value = Int.random(in: 500...20_000, using: &generator)
                        let id = UInt64.random(in: 0...UInt64.max, using: &generator)
                        hit("e=conversion&v=\(value)&id=\(id)")
                    }
                }
            }
            await withTaskGroup(of: Void.self) { group in
                for request in requests {
                    group.addTask { _ = try? await session.data(for: request) }
                }
            }
        }
        session.invalidateAndCancel()
    }

    /// A Poisson-distributed count with mean `mean` (Knuth's method; means here are small).
    static func poisson(_ mean: Double, using generator: inout some RandomNumberGenerator) -> Int {
        let limit = exp(-mean)
        var product = Double.random(in: 0..<1, using: &generator)
        var count = 0
        while product > limit {
            count += 1
            product *= Double.random(in: 0..<1, using: &generator)
        }
        return count
    }
}
