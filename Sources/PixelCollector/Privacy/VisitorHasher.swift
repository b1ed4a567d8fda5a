/// Turns a client address and user agent into the salted visitor hash used for unique counts.
///
/// The hash is SipHash-2-4 of `address ‖ 0x00 ‖ user agent` under a key that changes every
/// UTC day:
///
/// - master key = SipHash(fixed key, `secret ‖ 0`), SipHash(fixed key, `secret ‖ 1`);
/// - day key = SipHash(master key, `day ‖ 0`), SipHash(master key, `day ‖ 1`), where `day`
///   is the UTC day number of the event time (u64, little-endian).
///
/// Neither the address nor the user agent leaves the collector. Without the secret a hash
/// cannot be tied back to an address, and hashes from different days cannot be linked to
/// each other. Collectors whose hits must count as the same unique visitors (several
/// collectors behind one load balancer) must share the secret, and keep it across restarts
/// (``VisitorSecret`` finds it); a random secret matches no other process's hashes.
struct VisitorHasher: Sendable {
    private let master0: UInt64
    private let master1: UInt64

    /// Derives the master key from a secret of any length.
    init(secret: [UInt8]) {
        // "pixelpulse/visit" as two words: only separates this use from any other.
        let (fixed0, fixed1): (UInt64, UInt64) = (0x6c65_7869_702f_7873, 0x7469_7369_762f_6573)
        var first = SipHasher(key0: fixed0, key1: fixed1)
        var second = SipHasher(key0: fixed0, key1: fixed1)
        secret.withUnsafeBytes {
            first.combine($0)
            second.combine($0)
        }
        first.combine(UInt8(0))
        second.combine(UInt8(1))
        master0 = first.finalize()
        master1 = second.finalize()
    }

    /// 32 random bytes from the system's secure generator.
    static func randomSecret() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    /// The key for one UTC day.
    func key(forDay day: Int64) -> DayKey {
        var first = SipHasher(key0: master0, key1: master1)
        var second = SipHasher(key0: master0, key1: master1)
        first.combine(UInt64(bitPattern: day))
        second.combine(UInt64(bitPattern: day))
        first.combine(UInt8(0))
        second.combine(UInt8(1))
        return DayKey(day: day, key0: first.finalize(), key1: second.finalize())
    }

    /// The hashing key of one UTC day.
    struct DayKey: Sendable {
        let day: Int64
        let key0: UInt64
        let key1: UInt64

        /// The visitor hash of a client address (its text form) and user agent.
        func visitor(address: String, userAgent: String) -> UInt64 {
            var hasher = SipHasher(key0: key0, key1: key1)
            hasher.combine(address)
            hasher.combine(UInt8(0))
            hasher.combine(userAgent)
            return hasher.finalize()
        }
    }
}
