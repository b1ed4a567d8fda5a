import Logging
import PixelSupport
import Synchronization
import ZeroMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Says why the forwarder's connection cannot even begin when the ingest host does not
/// resolve.
///
/// libzmq resolves a `tcp://` host itself, on every attempt, and when that fails it only
/// schedules the next one: its monitor reports `ZMQ_EVENT_CONNECT_RETRIED` over and over,
/// never `CONNECT_DELAYED` (an attempt under way), and no cause. So after two retries with
/// no attempt between them, this resolves the host itself with `getaddrinfo` (IPv4, as
/// libzmq does without `ZMQ_IPV6`) on a thread of its own, and logs the cause as an
/// error, once; when an attempt begins again it logs that the host resolves. Nothing is
/// checked for `ipc://` and `inproc://` endpoints.
final class IngestHostCheck: Sendable {
    private struct State {
        var retriesSinceAttempt = 0
        /// Attempts begun so far: a check whose answer comes after another attempt began
        /// is out of date.
        var attempts = 0
        var checking = false
        /// The failure was logged, and no attempt has begun since.
        var reported = false
    }

    let endpoint: String
    /// The host a `tcp://` endpoint names; `nil` for other transports.
    let host: String?
    private let logger: Logger
    private let state = Mutex(State())

    init(endpoint: String, logger: Logger) {
        self.endpoint = endpoint
        self.host = TCPEndpoint.host(in: endpoint)
        self.logger = logger
    }

    /// Notes a monitor event of the forwarder's socket (on its thread).
    func note(_ event: SocketEvent) {
        switch event {
        case .connectDelayed, .connected:
            let wasReported = state.withLock { state in
                state.retriesSinceAttempt = 0
                state.attempts += 1
                defer { state.reported = false }
                return state.reported
            }
            if wasReported {
                logger.notice("The aggregator's ingest host resolves again; connecting", metadata: metadata)
            }
        case .connectRetried:
            guard let host else { return }
            let attempts: Int? = state.withLock { state in
                state.retriesSinceAttempt += 1
                guard state.retriesSinceAttempt >= 2, !state.checking, !state.reported else { return nil }
                state.checking = true
                return state.attempts
            }
            guard let attempts else { return }
            _ = WorkerThread.start(name: "pp-resolve") { [self] in check(host, attempts: attempts) }
        default:
            break
        }
    }

    private func check(_ host: String, attempts: Int) {
        let failure = Self.resolutionFailure(host)
        let report = state.withLock { state in
            state.checking = false
            guard failure != nil, state.attempts == attempts else { return false }
            state.reported = true
            return true
        }
        if report, let failure {
            var metadata = metadata
            metadata["error"] = "\(failure)"
            logger.error("The aggregator's ingest host does not resolve; nothing is sent until it does", metadata: metadata)
        }
    }

    private var metadata: Logger.Metadata {
        ["ingest.endpoint": "\(endpoint)", "ingest.host": "\(host ?? "")"]
    }

    /// Why `host` has no IPv4 address, in `getaddrinfo`'s words; `nil` when it has one.
    static func resolutionFailure(_ host: String) -> String? {
        var hints = addrinfo()
        hints.ai_family = AF_INET
        var result: UnsafeMutablePointer<addrinfo>?
        let code = getaddrinfo(host, nil, &hints, &result)
        guard code != 0 else {
            freeaddrinfo(result)
            return nil
        }
        return code == EAI_SYSTEM ? String(cString: strerror(errno)) : String(cString: gai_strerror(code))
    }
}
