import Logging
import PixelPulseTesting

/// A logger whose every line a test can wait for, as it would print: level, message and
/// metadata sorted by key.
struct LogCapture {
    let lines = Inbox<String>()

    var logger: Logger {
        Logger(label: "test") { [lines] _ in Handler(lines: lines) }
    }

    /// Waits for the first line containing `text`, skipping the others; `nil` when none
    /// comes within `timeout`.
    func line(containing text: String, timeout: Duration = .seconds(10)) async -> String? {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while true {
            let left = ContinuousClock.now.duration(to: deadline)
            guard left > .zero, let line = await lines.next(timeout: left) else { return nil }
            if line.contains(text) { return line }
        }
    }

    private struct Handler: LogHandler {
        let lines: Inbox<String>
        var logLevel: Logger.Level = .trace
        var metadata: Logger.Metadata = [:]
        var metadataProvider: Logger.MetadataProvider?

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { $1 }
            let fields = all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            lines.put(([event.level.rawValue] + fields + [event.message.description]).joined(separator: " "))
        }
    }
}
