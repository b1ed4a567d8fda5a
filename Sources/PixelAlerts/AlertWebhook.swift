public import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
public import Logging
import PixelCore
import PixelSupport
public import ServiceLifecycle

/// Delivers alerts as HTTP POSTs in the Prometheus Alertmanager webhook format (version
/// 4), so they reach the Slack, PagerDuty or e-mail bridges that already take
/// Alertmanager's webhooks.
///
/// One POST per alert, in the order alerts fire and resolve. A delivery that fails (no
/// answer, or a status other than 2xx) is retried with exponential backoff; after
/// `maxAttempts` the alert is logged as undelivered and the next one goes. The aggregator
/// never waits for this: it hands alerts over through a stream that keeps the newest
/// 10 000 when deliveries fall behind.
public final class AlertWebhook: Service {
    public let url: URL
    private let alerts: AsyncStream<Alert>
    private let logger: Logger
    private let session: URLSession
    private let maxAttempts: Int
    private let firstBackoff: Duration
    private let maxBackoff: Duration

    /// - Parameters:
    ///   - url: Where to POST.
    ///   - alerts: The alerts to deliver, in order (the aggregator's
    ///     `alertNotifications()`, from the moment it was called).
    ///   - maxAttempts: Tries per alert, the first included.
    ///   - firstBackoff: The wait after the first failure; it doubles with every failure,
    ///     up to `maxBackoff`.
    ///   - timeout: How long one request may take.
    public init(
        url: URL, alerts: AsyncStream<Alert>, logger: Logger, maxAttempts: Int = 10,
        firstBackoff: Duration = .seconds(1), maxBackoff: Duration = .seconds(60), timeout: Duration = .seconds(10)
    ) {
        self.url = url
        self.alerts = alerts
        self.logger = logger
        self.maxAttempts = max(1, maxAttempts)
        self.firstBackoff = firstBackoff
        self.maxBackoff = maxBackoff
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout.inSeconds
        session = URLSession(configuration: configuration)
    }

    /// Delivers alerts until graceful shutdown; a delivery in progress is abandoned then.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            for await alert in self.alerts {
                await self.deliver(alert)
            }
        }
    }

    private func deliver(_ alert: Alert) async {
        let body: Data
        do {
            body = try JSONEncoder().encode(AlertmanagerPayload(alert))
        } catch {
            logger.error("Cannot encode an alert for the webhook", metadata: ["error": "\(error)"])
            return
        }
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("pixelpulse", forHTTPHeaderField: "User-Agent")
        request.httpBody = body
        var backoff = firstBackoff
        let metadata: Logger.Metadata = [
            "alert.rule": "\(alert.rule)", "alert.status": "\(alert.status.rawValue)", "alert.fingerprint": "\(alert.fingerprint)",
        ]
        for attempt in 1...maxAttempts {
            let failure: String
            do {
                let (_, response) = try await session.data(for: request)
                let status = (response as? HTTPURLResponse)?.statusCode ?? 0
                if (200..<300).contains(status) {
                    logger.debug("Alert delivered", metadata: metadata)
                    return
                }
                failure = "HTTP \(status)"
            } catch {
                if Task.isCancelled { return }
                failure = "\(error.localizedDescription)"
            }
            guard attempt < maxAttempts else {
                logger.error("Alert not delivered to the webhook; giving up", metadata: metadata.merging([
                    "webhook.attempts": "\(attempt)", "webhook.error": "\(failure)"]) { $1 })
                return
            }
            logger.warning("Alert delivery failed; retrying", metadata: metadata.merging([
                "webhook.attempt": "\(attempt)", "webhook.error": "\(failure)", "webhook.retryIn": "\(backoff)"]) { $1 })
            do {
                try await Task.sleep(for: backoff)
            } catch {
                return
            }
            backoff = min(backoff * 2, maxBackoff)
        }
    }
}

/// The Alertmanager webhook body (version 4) carrying one alert.
struct AlertmanagerPayload: Encodable {
    struct Item: Encodable {
        var status: String
        var labels: [String: String]
        var annotations: [String: String]
        var startsAt: String
        var endsAt: String
        var generatorURL = ""
        var fingerprint: String
    }

    var version = "4"
    var groupKey: String
    var truncatedAlerts = 0
    var status: String
    var receiver = "pixelpulse"
    var groupLabels: [String: String]
    var commonLabels: [String: String]
    var commonAnnotations: [String: String]
    var externalURL = ""
    var alerts: [Item]

    init(_ alert: Alert) {
        let labels = [
            "alertname": alert.rule, "campaign": alert.campaign.rawValue, "pixel": alert.pixel?.rawValue ?? "*",
            "severity": alert.severity, "kind": alert.kind.rawValue, "metric": alert.metric, "window": alert.window,
        ]
        let annotations = [
            "summary": alert.summary, "value": "\(alert.value)", "baseline": "\(alert.baseline)",
            "threshold": "\(alert.threshold)", "baselineWindow": alert.baselineWindow, "unit": alert.unit,
        ]
        let groupLabels = labels.filter { ["alertname", "campaign", "pixel"].contains($0.key) }
        groupKey = "{}:{" + groupLabels.sorted { $0.key < $1.key }.map { "\($0.key)=\"\($0.value)\"" }.joined(separator: ", ") + "}"
        status = alert.status.rawValue
        self.groupLabels = groupLabels
        commonLabels = labels
        commonAnnotations = annotations
        alerts = [Item(
            status: alert.status.rawValue, labels: labels, annotations: annotations,
            startsAt: Self.timestamp(alert.startsAt),
            endsAt: alert.endsAt.map(Self.timestamp) ?? "0001-01-01T00:00:00Z",  // Alertmanager's "not yet"
            fingerprint: alert.fingerprint)]
    }

    /// RFC 3339 in UTC with milliseconds.
    private static func timestamp(_ milliseconds: Int64) -> String {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000)
            .formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
    }
}
