/// The broad class of device a hit came from, as the collector judged from the user agent.
///
/// The raw values are part of the ingest wire format (three bits).
public enum DeviceClass: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    case unknown = 0
    case desktop = 1
    case mobile = 2
    case tablet = 3
    /// Crawlers, link previewers, monitoring probes.
    case bot = 4
    /// Mail clients and their image proxies.
    case mail = 5
    case server = 6

    public var description: String {
        switch self {
        case .unknown: "unknown"
        case .desktop: "desktop"
        case .mobile: "mobile"
        case .tablet: "tablet"
        case .bot: "bot"
        case .mail: "mail"
        case .server: "server"
        }
    }
}
