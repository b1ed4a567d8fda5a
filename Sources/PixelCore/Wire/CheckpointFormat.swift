/// The layout of the state in a checkpoint, named by the format version of its file.
///
/// A build writes ``current`` and reads every format a release before it wrote, so an
/// upgrade restores the checkpoint the old release left.
package enum CheckpointFormat: UInt8, Sendable, CaseIterable {
    /// Four counters per window (no bots); event ids in two generations of 64-bit keys.
    case version1 = 1
    /// Five counters per window, bots last; event ids in one table of time-stamped words.
    case version2 = 2
    /// Format 2, then each campaign's segments (their values and windows).
    case version3 = 3
    /// Format 3, then each campaign's hourly history; alerts firing keep their baseline's
    /// source, reasons and diagnosis.
    case version4 = 4

    /// The format this build writes.
    package static let current = version4
}
