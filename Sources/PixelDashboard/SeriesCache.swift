import PixelCore
import PixelPulseClient

/// Series replies of the aggregator, kept for a few seconds: a hundred pages opening at
/// once cost it one request per distinct query, and requests for the same query while one
/// is in flight wait for that one.
actor SeriesCache {
    struct Query: Hashable, Sendable {
        var prefix: String
        var window: String?
        /// Only the campaigns' rollups.
        var rollups: Bool
    }

    private struct Entry {
        let task: Task<[UInt8], any Error>
        let made: ContinuousClock.Instant
    }

    private let source: FeedClientSource
    private let lifetime: Duration
    private let timeout: Duration
    private var entries: [Query: Entry] = [:]

    init(source: FeedClientSource, lifetime: Duration = .seconds(5), timeout: Duration = .seconds(5)) {
        self.source = source
        self.lifetime = lifetime
        self.timeout = timeout
    }

    /// `{"series":[…]}`: the aggregator's series bodies for `query`, byte for byte.
    func document(_ query: Query) async throws -> [UInt8] {
        let now = ContinuousClock.now
        entries = entries.filter { now - $0.value.made < lifetime }
        if let entry = entries[query] { return try await entry.task.value }
        let (source, timeout) = (source, timeout)
        let task = Task {
            let bodies = try await source.client().seriesBodies(prefix: query.prefix, window: query.window, timeout: timeout)
            return Self.document(bodies.filter { !query.rollups || Self.isRollup($0) })
        }
        entries[query] = Entry(task: task, made: now)
        do {
            return try await task.value
        } catch {
            if entries[query]?.made == now { entries[query] = nil }  // a failure is not kept
            throw error
        }
    }

    /// Whether a series body is a campaign's rollup (`"pixel":null`; a body is small and
    /// the field comes before the arrays).
    private static func isRollup(_ body: [UInt8]) -> Bool {
        body.firstRange(of: Array(#""pixel":null"#.utf8)) != nil
    }

    private static func document(_ bodies: [[UInt8]]) -> [UInt8] {
        var out = Array(#"{"series":["#.utf8)
        out.reserveCapacity(16 + bodies.reduce(0) { $0 + $1.count + 1 })
        for (index, body) in bodies.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out += body
        }
        out += Array("]}".utf8)
        return out
    }
}
