/// The operating system a hit came from, as the collector judged from the user agent.
///
/// The raw values are part of the ingest wire format (version 3); ``name`` is what the
/// feed publishes.
public enum OperatingSystem: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    case unknown = 0
    case windows = 1
    case macOS = 2
    case iOS = 3
    case android = 4
    case linux = 5
    case chromeOS = 6
    /// An agent none of the rules name.
    case other = 7

    /// The name the feed uses.
    public var name: String {
        switch self {
        case .unknown: "unknown"
        case .windows: "windows"
        case .macOS: "macos"
        case .iOS: "ios"
        case .android: "android"
        case .linux: "linux"
        case .chromeOS: "chromeos"
        case .other: "other"
        }
    }

    public var description: String { name }
}
