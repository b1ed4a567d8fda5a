import PixelAggregator

/// The files of `--allow-collectors` and `--allow-subscribers`: read at start, and again on
/// SIGHUP.
struct AllowlistFiles: Sendable {
    let collectors: String
    let subscribers: String?

    func load() throws -> TransportSecurity.Allowlists {
        TransportSecurity.Allowlists(
            collectors: try KeyFiles.allowlist(at: collectors), subscribers: try subscribers.map(KeyFiles.allowlist(at:)))
    }

    var paths: String { ([collectors] + (subscribers.map { [$0] } ?? [])).joined(separator: " and ") }
}
