/// The parts of a stats body that depend only on the windows, made once per aggregator:
/// each window's opening (`"1m":{"views":`) and how long a body can be, so that
/// ``FeedStats/encode(seq:time:campaign:pixel:layout:counts:)`` writes every body into one
/// allocation of the right size, with no bookkeeping per byte. It runs for every changed key
/// on every tick.
public struct StatsBodyLayout: Sendable {
    public let windows: [WindowSpec]
    /// `"NAME":{"views":` of each window, the first without its comma.
    let openings: [[UInt8]]
    /// The longest a body can be with ids of no length (each id byte costs 6 at most, `\u00XX`).
    let bound: Int

    public init(windows: [WindowSpec]) {
        self.windows = windows
        openings = windows.enumerated().map { index, window in Array("\(index > 0 ? "," : "")\"\(window.name)\":{\"views\":".utf8) }
        // The fixed text, then per window its opening, the members' names and their largest
        // values: 20 digits per counter, 24 characters per rate.
        let perWindow = #","clicks":,"conversions":,"value":,"bots":,"uniques":,"uniquesError":,"ctr":,"cvr":}"#.utf8.count + 7 * 20 + 2 * 24
        bound = #"{"type":"stats","seq":,"time":,"campaign":"","pixel":"","windows":{}}"#.utf8.count + 20 + 20
            + openings.reduce(0) { $0 + $1.count + perWindow }
    }
}

/// Writes bytes through a pointer into memory sized beforehand: no bounds or uniqueness
/// checks per byte (the size was computed by whoever made the memory).
struct ByteCursor {
    private let start: UnsafeMutablePointer<UInt8>
    private(set) var count = 0

    init(_ start: UnsafeMutablePointer<UInt8>) { self.start = start }

    mutating func write(_ text: StaticString) {
        (start + count).update(from: text.utf8Start, count: text.utf8CodeUnitCount)
        count += text.utf8CodeUnitCount
    }

    mutating func write(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { (start + count).update(from: $0.baseAddress!, count: $0.count) }
        count += bytes.count
    }

    mutating func write(_ value: UInt64) {
        var digits = 1
        var rest = value / 10
        while rest > 0 {
            digits += 1
            rest /= 10
        }
        rest = value
        for index in stride(from: count + digits - 1, through: count, by: -1) {
            start[index] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
        }
        count += digits
    }

    mutating func write(_ value: Int64) {
        if value < 0 {
            start[count] = UInt8(ascii: "-")
            count += 1
        }
        write(value.magnitude)
    }

    /// A finite double as Swift prints it (the shortest text that reads back the same), or `null`.
    mutating func write(_ value: Double?) {
        guard let value, value.isFinite else { return write("null") }
        var text = value.description
        text.withUTF8 { (start + count).update(from: $0.baseAddress!, count: $0.count) }
        count += text.utf8.count
    }

    /// A JSON string, quoted and escaped as ``JSONWriter`` writes it.
    mutating func writeString(_ value: String) {
        JSONWriter.quote(value) { byte in
            start[count] = byte
            count += 1
        }
    }
}
