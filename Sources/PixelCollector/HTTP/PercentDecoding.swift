/// Decodes `application/x-www-form-urlencoded` values: `%XX` escapes and `+` for a space.
enum PercentDecoding {
    enum Outcome: Equatable {
        /// The decoded bytes fill the first `count` bytes of the output.
        case decoded(Int)
        /// The decoded value does not fit the output.
        case tooLong
        /// A `%` not followed by two hexadecimal digits.
        case malformed
    }

    /// Decodes `input` into `output`.
    ///
    /// The whole input is checked even when it does not fit, so a malformed escape is
    /// reported in preference to the length.
    static func decode(_ input: Slice<UnsafeBufferPointer<UInt8>>, into output: UnsafeMutableBufferPointer<UInt8>) -> Outcome {
        var count = 0
        var index = input.startIndex
        while index < input.endIndex {
            var byte = input[index]
            if byte == UInt8(ascii: "%") {
                guard index + 2 < input.endIndex,
                      let high = hexValue(input[index + 1]), let low = hexValue(input[index + 2])
                else { return .malformed }
                byte = high << 4 | low
                index += 3
            } else {
                if byte == UInt8(ascii: "+") { byte = UInt8(ascii: " ") }
                index += 1
            }
            if count < output.count { output[count] = byte }
            count += 1
        }
        return count <= output.count ? .decoded(count) : .tooLong
    }

    /// The value of a hexadecimal digit.
    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
