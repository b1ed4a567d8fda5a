/// The windows every key keeps, and how late or early an event may be.
public struct WindowConfiguration: Sendable, Hashable {
    /// The windows, shortest first.
    public let windows: [WindowSpec]
    /// How far behind the newest time seen an event may be and still count, in ms.
    public let grace: Int64
    /// How far ahead of the clock an event may be stamped and still count, in ms
    /// (collector clocks drift).
    public let futureTolerance: Int64
    /// The shortest window's step: the time resolution keys are kept at.
    let unit: Int64

    /// The most windows a configuration may have.
    public static let maxWindows = 8
    /// The most slots all windows may have together (a dense key's lanes stay under 64 KiB).
    public static let maxTotalSlots = 2000

    /// 1m, 5m, 15m and 1h, sliding by 1s, 5s, 15s and 1m; grace 1h; tolerance 5 s.
    public static let standard = try! WindowConfiguration(
        windows: [
            WindowSpec(length: 60_000), WindowSpec(length: 300_000),
            WindowSpec(length: 900_000), WindowSpec(length: 3_600_000),
        ])

    /// Creates a configuration.
    ///
    /// - Parameters:
    ///   - windows: One to ``maxWindows`` distinct windows, in any order. Each window's
    ///     step must be a multiple of the next shorter window's step, and each window must
    ///     be at least one of its steps longer than the next shorter one: then a shorter
    ///     window's slots can be folded into the longer one's as they age (see ``WindowStore``).
    ///   - grace: Accept events up to this many ms older than the newest time seen;
    ///     at most the longest window (older events count in no window). Defaults to it.
    ///   - futureTolerance: Accept events stamped up to this many ms ahead of the clock.
    public init(windows: [WindowSpec], grace: Int64? = nil, futureTolerance: Int64 = 5000)
        throws(WindowConfigurationError)
    {
        guard !windows.isEmpty else { throw .noWindows }
        guard windows.count <= Self.maxWindows else { throw .tooManyWindows(windows.count) }
        let sorted = windows.sorted { ($0.length, $0.step) < ($1.length, $1.step) }
        for (a, b) in zip(sorted, sorted.dropFirst()) where a.length == b.length {
            throw .duplicateWindow(b.name)
        }
        let longest = sorted.last!.length
        let grace = grace ?? longest
        guard (0...longest).contains(grace) else { throw .graceOutOfRange(grace) }
        guard futureTolerance >= 0 else { throw .negativeFutureTolerance(futureTolerance) }
        for (finer, coarser) in zip(sorted, sorted.dropFirst()) {
            guard coarser.step % finer.step == 0 else { throw .stepsNotNested(finer.name, coarser.name) }
            guard coarser.length - coarser.step >= finer.length else {
                throw .windowsTooClose(finer.name, coarser.name)
            }
        }
        let totalSlots = sorted.map(\.slots).reduce(0, +)
        guard totalSlots <= Self.maxTotalSlots else { throw .tooManySlots(totalSlots) }
        let unit = sorted[0].step
        guard unit >= 100 else { throw .stepTooFine(unit) }
        self.windows = sorted
        self.grace = grace
        self.futureTolerance = futureTolerance
        self.unit = unit
    }

}
