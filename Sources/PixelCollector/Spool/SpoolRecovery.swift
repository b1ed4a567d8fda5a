/// What a ``Collector`` found in its spool directory at start.
public struct SpoolRecovery: Sendable, Equatable {
    /// The spool directory.
    public var directory: String
    /// Segment files found.
    public var segments = 0
    /// Batches sealed and not acknowledged before the stop (including the batch that was
    /// open at a crash, sealed now): they are sent again under their own sequence numbers.
    public var batches = 0
    /// The events in those batches.
    public var events = 0
    /// Events of the batch that was open when the collector stopped, sealed at start.
    public var sealedOpenEvents = 0
    /// Bytes cut off: a record torn by a crash, or damaged, and what followed it.
    public var cutBytes = 0
    /// Segments whose reading ended at a damaged record before their end.
    public var damagedSegments: [String] = []
    /// Events lost to damage: hits whose batch lost its seal record.
    public var lostEvents = 0

    public init(directory: String) {
        self.directory = directory
    }
}
