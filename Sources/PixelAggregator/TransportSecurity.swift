import Logging
import ZeroMQ

/// CURVE on the aggregator's sockets: traffic is encrypted, and a ZAP handler admits only
/// known client keys.
///
/// Every socket becomes a CURVE server with ``keyPair``; its ZAP domain is its name
/// (`ingest`, `feed`, `snapshot`). Ingest admits only ``collectors``; the feed and the
/// snapshot admit ``subscribers``, or, when that is `nil`, any client that knows the
/// aggregator's public key. `inproc://` endpoints (the embedded collector) have no
/// handshake and are not affected.
public struct TransportSecurity: Sendable {
    public var keyPair: CurveKeyPair
    /// Public key → name, of the collectors that may send batches.
    public var collectors: [CurveKey: String]
    /// Public key → name, of the subscribers that may read; `nil`: anyone with the server key.
    public var subscribers: [CurveKey: String]?

    public init(keyPair: CurveKeyPair, collectors: [CurveKey: String], subscribers: [CurveKey: String]? = nil) {
        self.keyPair = keyPair
        self.collectors = collectors
        self.subscribers = subscribers
    }

    /// Starts the ZAP handler that enforces the allowlists, logging every refusal with the
    /// client's key and address. Start it before the sockets bind; stop it after they close.
    public func startAuthenticator(context: Context, logger: Logger) async throws -> ZAPHandler {
        try await ZAPHandler.start(context: context) { request in
            let verdict = self.verdict(for: request)
            if case .deny(let reason) = verdict {
                logger.warning("refused a client", metadata: [
                    "zap.domain": "\(request.domain)", "zap.address": "\(request.address)",
                    "zap.key": "\(request.clientKey?.z85 ?? "none (\(request.mechanism))")", "zap.reason": "\(reason)",
                ])
            }
            return verdict
        }
    }

    func verdict(for request: ZAPHandler.Request) -> ZAPHandler.Verdict {
        guard let key = request.clientKey else { return .deny("CURVE required") }
        switch request.domain {
        case "ingest":
            return collectors[key].map { .allow(userID: $0) } ?? .deny("collector key not in the allowlist")
        case "feed", "snapshot":
            guard let subscribers else { return .allow(userID: "subscriber") }
            return subscribers[key].map { .allow(userID: $0) } ?? .deny("subscriber key not in the allowlist")
        default:
            return .deny("unknown ZAP domain \(request.domain)")
        }
    }
}
