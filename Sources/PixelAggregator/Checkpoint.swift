import PixelCore
public import PixelSupport

/// The aggregator's whole state at one moment, and the place in the ingest log it covers.
///
/// ``DataDirectory`` keeps it in a file (`Checkpoint+File.swift` says how).
public struct Checkpoint: Sendable {
    /// The aggregator's clock when it was taken, ms since the Unix epoch.
    public let time: Int64
    /// The end of the last ingest-log records it counts; `nil` without a log.
    public let logPosition: LogPosition?
    /// The state, as ``AggregatorState`` encodes it.
    let state: [UInt8]
    /// The layout of ``state``: the file's format version.
    let format: CheckpointFormat

    init(time: Int64, logPosition: LogPosition?, state: [UInt8], format: CheckpointFormat = .current) {
        self.time = time
        self.logPosition = logPosition
        self.state = state
        self.format = format
    }
}
