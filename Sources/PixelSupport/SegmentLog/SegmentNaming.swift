public import Foundation

/// The names of a log's files: a prefix, a number in 16 hex digits, a suffix — names that
/// sort in number order (`ingest-0000018f3a2b1c00.wal`, `spool-0000000000000001.log`).
public struct SegmentNaming: Sendable {
    public let prefix: String
    public let suffix: String

    public init(prefix: String, suffix: String) {
        self.prefix = prefix
        self.suffix = suffix
    }

    /// The name of file `number` (not negative).
    public func name(of number: some BinaryInteger) -> String {
        let hex = String(number, radix: 16)
        return "\(prefix)\(String(repeating: "0", count: max(0, 16 - hex.count)))\(hex)\(suffix)"
    }

    /// The number in `name`, if it is one of these names.
    public func number<Number: FixedWidthInteger>(in name: String, as _: Number.Type = Number.self) -> Number? {
        guard name.hasPrefix(prefix), name.hasSuffix(suffix), name.count == prefix.count + 16 + suffix.count else { return nil }
        return Number(name.dropFirst(prefix.count).dropLast(suffix.count), radix: 16)
    }

    /// The numbers of the files with these names in `directory`, in order.
    public func numbers<Number: FixedWidthInteger>(in directory: URL, as _: Number.Type = Number.self) throws -> [Number] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).compactMap { number(in: $0) }.sorted()
    }
}
