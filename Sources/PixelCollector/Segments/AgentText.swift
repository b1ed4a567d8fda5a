/// A user agent lower-cased, for the substring rules of ``DeviceClassifier`` and
/// ``UserAgentParser``.
enum AgentText {
    /// How much of the agent is examined; real agents are far shorter.
    static let examinedLength = 512

    /// Calls `body` with the first ``examinedLength`` bytes of `userAgent`, ASCII letters
    /// lower-cased.
    static func withLowercased<Result>(_ userAgent: String, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        var userAgent = userAgent
        return userAgent.withUTF8 { utf8 in
            let count = min(utf8.count, examinedLength)
            return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: count) { lowered in
                for index in 0..<count {
                    let byte = utf8[index]
                    lowered[index] = byte &- 65 < 26 ? byte | 0x20 : byte
                }
                return body(UnsafeBufferPointer(lowered))
            }
        }
    }
}

extension UnsafeBufferPointer<UInt8> {
    /// Whether any of `needles` occurs in these bytes.
    func containsAny(_ needles: [StaticString]) -> Bool {
        for needle in needles where contains(needle) { return true }
        return false
    }

    /// Whether `needle` occurs in these bytes.
    func contains(_ needle: StaticString) -> Bool {
        let length = needle.utf8CodeUnitCount
        guard length > 0, count >= length else { return length == 0 }
        let pattern = needle.utf8Start
        let first = pattern[0]
        var start = 0
        while start <= count - length {
            if self[start] == first {
                var offset = 1
                while offset < length, self[start + offset] == pattern[offset] { offset += 1 }
                if offset == length { return true }
            }
            start += 1
        }
        return false
    }
}
