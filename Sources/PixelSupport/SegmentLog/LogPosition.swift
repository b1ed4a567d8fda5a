/// A place in a segment log: the segment (by the number in its name) and a byte offset in
/// it. Everything before it has been read, or counted.
public struct LogPosition: Sendable, Hashable {
    public var segment: Int64
    public var offset: Int

    public init(segment: Int64, offset: Int) {
        self.segment = segment
        self.offset = offset
    }
}
