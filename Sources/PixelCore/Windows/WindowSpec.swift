/// One sliding window: its length and the step it slides by.
///
/// A window of length *L* and step *s* counts, at time *now*, the events whose time falls
/// in the last *L/s* whole steps up to and including the step that contains *now*. It is
/// kept as a ring of *L/s* slots, so a read is a running total and an update touches one slot.
public struct WindowSpec: Sendable, Hashable, CustomStringConvertible {
    /// Window length in milliseconds.
    public let length: Int64
    /// Slide step in milliseconds.
    public let step: Int64

    /// The fewest slots a window may have: it slides by at most 1/60 of its length.
    public static let minSlots = 60
    /// The most slots a window may have.
    public static let maxSlots = 512

    /// Creates a window.
    ///
    /// - Parameters:
    ///   - length: Window length in milliseconds.
    ///   - step: Slide step in milliseconds; `length / 60` when omitted. The length must
    ///     be a whole number of steps, between ``minSlots`` and ``maxSlots`` of them.
    public init(length: Int64, step: Int64? = nil) throws(WindowConfigurationError) {
        let step = step ?? length / Int64(Self.minSlots)
        guard step > 0, length > 0, length % step == 0 else {
            throw .lengthNotMultipleOfStep(length: length, step: step)
        }
        guard (Int64(Self.minSlots)...Int64(Self.maxSlots)).contains(length / step) else {
            throw .slotCount(length: length, step: step)
        }
        self.length = length
        self.step = step
    }

    /// The number of slots in the ring.
    public var slots: Int { Int(length / step) }

    /// A short name: `1m`, `5m`, `15m`, `1h`, `90s`, `1500ms`.
    public var name: String {
        if length % 3_600_000 == 0 { return "\(length / 3_600_000)h" }
        if length % 60_000 == 0 { return "\(length / 60_000)m" }
        if length % 1000 == 0 { return "\(length / 1000)s" }
        return "\(length)ms"
    }

    public var description: String { "\(name) sliding by \(step) ms" }

    /// Parses `90s`, `1m`, `15m`, `1h` (with the default step).
    public init(parsing text: String) throws(WindowConfigurationError) {
        let units: [(String, Int64)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            if let number = Int64(text.dropLast(suffix.count)), number > 0 {
                try self.init(length: number * scale)
                return
            }
        }
        throw .unparsable(text)
    }
}

/// Why a window configuration was refused.
public enum WindowConfigurationError: Error, Equatable, Sendable, CustomStringConvertible {
    case lengthNotMultipleOfStep(length: Int64, step: Int64)
    case slotCount(length: Int64, step: Int64)
    case noWindows
    case tooManyWindows(Int)
    case duplicateWindow(String)
    case graceOutOfRange(Int64)
    case negativeFutureTolerance(Int64)
    case stepTooFine(Int64)
    case stepsNotNested(String, String)
    case windowsTooClose(String, String)
    case tooManySlots(Int)
    case unparsable(String)

    public var description: String {
        switch self {
        case .lengthNotMultipleOfStep(let length, let step):
            "window length \(length) ms is not a positive multiple of its step \(step) ms"
        case .slotCount(let length, let step):
            "window \(length) ms / step \(step) ms must have \(WindowSpec.minSlots)…\(WindowSpec.maxSlots) slots"
        case .noWindows: "at least one window is required"
        case .tooManyWindows(let count): "\(count) windows; at most \(WindowConfiguration.maxWindows)"
        case .duplicateWindow(let name): "window \(name) is listed twice"
        case .graceOutOfRange(let grace): "grace \(grace) ms must be 0…the longest window"
        case .negativeFutureTolerance(let value): "future tolerance \(value) ms is negative"
        case .stepTooFine(let unit): "the shortest window steps by \(unit) ms; at least 100 ms is required"
        case .stepsNotNested(let finer, let coarser): "the step of \(coarser) must be a multiple of the step of \(finer)"
        case .windowsTooClose(let finer, let coarser): "\(coarser) must be at least one of its steps longer than \(finer)"
        case .tooManySlots(let count):
            "windows have \(count) slots together; at most \(WindowConfiguration.maxTotalSlots)"
        case .unparsable(let text): "cannot read window \"\(text)\"; use e.g. 90s, 1m, 15m, 1h"
        }
    }
}
