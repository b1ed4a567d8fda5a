/// Why bytes are not a valid ingest batch.
public enum WireError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The input ended inside the named field.
    case truncated(field: String)
    /// The first four bytes are not `PXPB`.
    case badMagic
    /// A format version this build does not read.
    case unsupportedVersion(UInt8)
    /// Reserved header flags were set.
    case unknownFlags(UInt8)
    /// The collector id or a name breaks the identifier rules.
    case invalidIdentifier(field: String, IdentifierError)
    /// A count is larger than the format allows or than the bytes that follow can hold.
    case countOutOfRange(field: String, count: Int)
    /// An event refers to a name index the batch does not have.
    case nameIndexOutOfRange(event: Int, index: Int)
    /// An event's kind bits name no known kind.
    case unknownKind(event: Int, raw: UInt8)
    /// An event's device bits name no known device class.
    case unknownDevice(event: Int, raw: UInt8)
    /// An event's browser, operating system or country is not one the format knows.
    case unknownSegment(event: Int, field: String, raw: Int)
    /// An event's time is negative or beyond the format's range.
    case timeOutOfRange(event: Int)
    /// An event's value exceeds ``HitEvent/maxValue``.
    case valueOutOfRange(event: Int, value: UInt64)
    /// Bytes remain after the last event.
    case trailingBytes(count: Int)

    public var description: String {
        switch self {
        case .truncated(let field): "batch truncated in \(field)"
        case .badMagic: "not a PixelPulse batch (bad magic)"
        case .unsupportedVersion(let version): "unsupported batch version \(version)"
        case .unknownFlags(let flags): "unknown batch flags 0x\(String(flags, radix: 16))"
        case .invalidIdentifier(let field, let error): "invalid \(field): \(error)"
        case .countOutOfRange(let field, let count): "\(field) \(count) is out of range"
        case .nameIndexOutOfRange(let event, let index):
            "event \(event) refers to name \(index), which the batch does not have"
        case .unknownKind(let event, let raw): "event \(event) has unknown kind \(raw)"
        case .unknownDevice(let event, let raw): "event \(event) has unknown device class \(raw)"
        case .unknownSegment(let event, let field, let raw): "event \(event) has unknown \(field) \(raw)"
        case .timeOutOfRange(let event): "event \(event) has a time out of range"
        case .valueOutOfRange(let event, let value): "event \(event) has value \(value) over the limit"
        case .trailingBytes(let count): "\(count) bytes after the last event"
        }
    }

    /// A short, stable reason for metrics labels.
    public var reason: String {
        switch self {
        case .truncated: "truncated"
        case .badMagic: "bad_magic"
        case .unsupportedVersion: "unsupported_version"
        case .unknownFlags: "unknown_flags"
        case .invalidIdentifier: "invalid_identifier"
        case .countOutOfRange: "count_out_of_range"
        case .nameIndexOutOfRange: "name_index_out_of_range"
        case .unknownKind: "unknown_kind"
        case .unknownDevice: "unknown_device"
        case .unknownSegment: "unknown_segment"
        case .timeOutOfRange: "time_out_of_range"
        case .valueOutOfRange: "value_out_of_range"
        case .trailingBytes: "trailing_bytes"
        }
    }
}
