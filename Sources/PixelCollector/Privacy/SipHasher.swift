/// SipHash-2-4 (Aumasson & Bernstein, 2012): a keyed 64-bit hash that an attacker who does
/// not know the key cannot invert or steer.
///
/// Incremental, so that several inputs can be hashed as one message without concatenating
/// them; allocates nothing.
struct SipHasher {
    private var v0: UInt64
    private var v1: UInt64
    private var v2: UInt64
    private var v3: UInt64
    /// Bytes not yet compressed, little-endian, in the low `tailCount` bytes.
    private var tail: UInt64 = 0
    private var tailCount = 0
    private var length = 0

    /// Starts a hash under a 128-bit key given as two little-endian words.
    init(key0: UInt64, key1: UInt64) {
        v0 = key0 ^ 0x736f_6d65_7073_6575
        v1 = key1 ^ 0x646f_7261_6e64_6f6d
        v2 = key0 ^ 0x6c79_6765_6e65_7261
        v3 = key1 ^ 0x7465_6462_7974_6573
    }

    /// Adds one byte.
    mutating func combine(_ byte: UInt8) {
        tail |= UInt64(byte) << (8 * UInt64(tailCount))
        tailCount += 1
        length += 1
        if tailCount == 8 {
            compress(tail)
            tail = 0
            tailCount = 0
        }
    }

    /// Adds a 64-bit word as eight little-endian bytes.
    mutating func combine(_ word: UInt64) {
        withUnsafeBytes(of: word.littleEndian) { combine($0) }
    }

    /// Adds bytes.
    mutating func combine(_ bytes: UnsafeRawBufferPointer) {
        var index = 0
        while tailCount != 0, index < bytes.count {
            combine(bytes[index])
            index += 1
        }
        while bytes.count - index >= 8 {
            compress(UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)))
            index += 8
            length += 8
        }
        while index < bytes.count {
            combine(bytes[index])
            index += 1
        }
    }

    /// Adds the UTF-8 bytes of a string.
    mutating func combine(_ string: String) {
        var string = string
        string.withUTF8 { combine(UnsafeRawBufferPointer($0)) }
    }

    /// Finishes the hash.
    consuming func finalize() -> UInt64 {
        compress(UInt64(truncatingIfNeeded: length) << 56 | tail)
        v2 ^= 0xff
        round()
        round()
        round()
        round()
        return v0 ^ v1 ^ v2 ^ v3
    }

    /// Hashes bytes in one call.
    static func hash(_ bytes: UnsafeRawBufferPointer, key0: UInt64, key1: UInt64) -> UInt64 {
        var hasher = SipHasher(key0: key0, key1: key1)
        hasher.combine(bytes)
        return hasher.finalize()
    }

    private mutating func compress(_ word: UInt64) {
        v3 ^= word
        round()
        round()
        v0 ^= word
    }

    @inline(__always)
    private mutating func round() {
        v0 &+= v1
        v1 = v1.rotatedLeft(13)
        v1 ^= v0
        v0 = v0.rotatedLeft(32)
        v2 &+= v3
        v3 = v3.rotatedLeft(16)
        v3 ^= v2
        v0 &+= v3
        v3 = v3.rotatedLeft(21)
        v3 ^= v0
        v2 &+= v1
        v1 = v1.rotatedLeft(17)
        v1 ^= v2
        v2 = v2.rotatedLeft(32)
    }
}

extension UInt64 {
    @inline(__always)
    fileprivate func rotatedLeft(_ count: UInt64) -> UInt64 {
        (self << count) | (self >> (64 - count))
    }
}
