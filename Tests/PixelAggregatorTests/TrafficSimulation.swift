import Foundation
import PixelAggregator
import PixelAlerts
import PixelCore

/// Drives an aggregator through simulated time, one second per step: the traffic of each
/// second is ingested, the clock moves on and the aggregator publishes, as its feed would
/// on a tick. Hours of traffic take well under a second.
final class TrafficSimulation {
    /// Events of one second: per (campaign, pixel), how many of each kind.
    struct Second {
        var hits: [(campaign: String, pixel: String, kind: EventKind, count: Int)] = []

        mutating func add(_ campaign: String, _ pixel: String, _ kind: EventKind = .view, _ count: Int) {
            hits.append((campaign, pixel, kind, count))
        }
    }

    let clock = TestClock()
    let aggregator: Aggregator
    /// Every alert message published so far, in order, decoded.
    private(set) var alerts: [[String: Any]] = []
    /// The last batch sequence number sent.
    var sequence: UInt64 = 0
    /// Seconds simulated so far.
    private(set) var elapsed = 0

    private let start: Int64

    init(rules: [AlertRule]? = nil, windows: WindowConfiguration = .standard) {
        start = clock.now
        aggregator = Aggregator(configuration: AggregatorConfiguration(windows: windows, alertRules: rules), clock: clock.function)
    }

    /// Runs `seconds` seconds of the traffic `traffic(second)` gives, second counted from
    /// the start of this call.
    func run(seconds: Int, _ traffic: (_ second: Int) -> Second) async {
        for second in 0..<seconds {
            let hits = traffic(second).hits
            if !hits.isEmpty {
                sequence += 1
                var batch = EventBatch(collector: "sim", sequence: sequence)
                for hit in hits {
                    for index in 0..<hit.count {
                        let time = clock.now + Int64(index * 1000 / hit.count)
                        batch.append(HitEvent(time: time, kind: hit.kind, campaign: CampaignID(unchecked: hit.campaign),
                                              pixel: PixelID(unchecked: hit.pixel)))
                        if batch.events.count == EventBatch.maxEvents {
                            await aggregator.ingest([batch])
                            sequence += 1
                            batch = EventBatch(collector: "sim", sequence: sequence)
                        }
                    }
                }
                await aggregator.ingest([batch])
            }
            clock.advance(by: 1000)
            elapsed += 1
            for message in await aggregator.changes() where message.topic.hasPrefix(FeedTopic.alertsPrefix) {
                var body = try! JSONSerialization.jsonObject(with: Data(message.body)) as! [String: Any]
                body["topic"] = message.topic
                body["elapsed"] = elapsed
                alerts.append(body)
            }
        }
    }

    /// Steady traffic: `rate` events per second of `kind` on each (campaign, pixel).
    static func steady(_ keys: [(String, String)], rate: Int, kind: EventKind = .view) -> (Int) -> Second {
        { _ in
            var second = Second()
            for (campaign, pixel) in keys { second.add(campaign, pixel, kind, rate) }
            return second
        }
    }

    /// The clock `elapsed` simulated seconds after the start.
    func time(at elapsed: Int) -> Int64 { start + Int64(elapsed) * 1000 }

    /// The alerts published about `topic` for `rule`, as (status, elapsed second) pairs.
    func history(_ topic: String, rule: String) -> [(status: String, at: Int)] {
        alerts.filter { $0["topic"] as? String == topic && $0["rule"] as? String == rule }
            .map { ($0["status"] as! String, $0["elapsed"] as! Int) }
    }
}
