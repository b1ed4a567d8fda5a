import Logging
import Prometheus

/// What every connection handler shares: the batcher, metrics, visitor hashing, the link
/// state, the tracking-link settings and the registry. All thread-safe; copied into each
/// handler once.
struct HTTPServices: Sendable {
    let batcher: HitBatcher
    let metrics: CollectorMetrics
    let visitors: VisitorHasher
    /// Hits' countries; `nil` without a database.
    let countries: CountryDatabase?
    let forwarder: Forwarder
    let registry: PrometheusCollectorRegistry
    /// Read the client address from `X-Forwarded-For`.
    let trustForwardedFor: Bool
    /// The largest beacon body read, in bytes; a larger one is answered `413`.
    let maxBeaconBodySize: Int
    /// The origins whose pages may use the answers (CORS).
    let origins: AllowedOrigins
    /// Link secrets, pixel sets and the allowlist of unsigned destinations.
    let links: LinkSettings
    /// For the few things worth a line while serving (a link naming a missing pixel set).
    let logger: Logger
    /// Conversions from backends and affiliate networks.
    let conversions: ConversionEndpoint
}
