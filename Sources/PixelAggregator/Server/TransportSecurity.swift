public import Logging
import Synchronization
public import ZeroMQ

/// CURVE on the aggregator's sockets: traffic is encrypted, and a ZAP handler admits only
/// known client keys.
///
/// Every socket becomes a CURVE server with ``keyPair``; its ZAP domain is its name
/// (`ingest`, `feed`, `snapshot`). Ingest admits only ``allowlists``' collectors; the feed
/// and the snapshot admit its subscribers, or, when those are `nil`, any client that knows
/// the aggregator's public key. `inproc://` endpoints (the embedded collector) have no
/// handshake and are not affected.
///
/// The allowlists can be replaced while running (``replaceAllowlists(_:)``): libzmq asks the
/// ZAP handler at each handshake, so the new lists decide every connection made from then
/// on; connections already made stay.
public final class TransportSecurity: Sendable {
    public let keyPair: CurveKeyPair
    private let lists: Mutex<Allowlists>

    /// Who may connect.
    public struct Allowlists: Sendable, Hashable {
        /// Public key → name, of the collectors that may send batches.
        public var collectors: [CurveKey: String]
        /// Public key → name, of the subscribers that may read; `nil`: anyone with the server key.
        public var subscribers: [CurveKey: String]?

        public init(collectors: [CurveKey: String], subscribers: [CurveKey: String]? = nil) {
            self.collectors = collectors
            self.subscribers = subscribers
        }

        /// "3 listed collectors, 1 listed subscriber", for logs.
        public var summary: String {
            func listed(_ count: Int, _ noun: String) -> String { "\(count) listed \(noun)\(count == 1 ? "" : "s")" }
            return listed(collectors.count, "collector") + ", "
                + (subscribers.map { listed($0.count, "subscriber") } ?? "any subscriber with the public key")
        }
    }

    public init(keyPair: CurveKeyPair, allowlists: Allowlists) {
        self.keyPair = keyPair
        lists = Mutex(allowlists)
    }

    /// The allowlists in force.
    public var allowlists: Allowlists { lists.withLock { $0 } }

    /// Puts new allowlists in force for every handshake from now on.
    public func replaceAllowlists(_ allowlists: Allowlists) {
        lists.withLock { $0 = allowlists }
    }

    /// Starts the ZAP handler that enforces the allowlists, logging every refusal with the
    /// client's key and address. Start it before the sockets bind; stop it after they close.
    public func startAuthenticator(context: Context, logger: Logger) async throws -> ZAPHandler {
        try await ZAPHandler.start(context: context) { request in
            let verdict = self.verdict(for: request)
            if case .deny(let reason) = verdict {
                logger.warning("Refused a client", metadata: [
                    "zap.domain": "\(request.domain)", "zap.address": "\(request.address)",
                    "zap.key": "\(request.clientKey?.z85 ?? "none (\(request.mechanism))")", "zap.reason": "\(reason)",
                ])
            }
            return verdict
        }
    }

    func verdict(for request: ZAPHandler.Request) -> ZAPHandler.Verdict {
        guard let key = request.clientKey else { return .deny("CURVE required") }
        let allowlists = allowlists
        switch request.domain {
        case "ingest":
            return allowlists.collectors[key].map { .allow(userID: $0) } ?? .deny("collector key not in the allowlist")
        case "feed", "snapshot":
            guard let subscribers = allowlists.subscribers else { return .allow(userID: "subscriber") }
            return subscribers[key].map { .allow(userID: $0) } ?? .deny("subscriber key not in the allowlist")
        default:
            return .deny("unknown ZAP domain \(request.domain)")
        }
    }
}
