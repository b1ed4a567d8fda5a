import CZeroMQ

/// ZeroMQ's Z85 text encoding of binary data (ZMQ RFC 32), as used for CURVE keys.
public enum Z85 {
    /// Encodes bytes as Z85 text (`zmq_z85_encode`).
    ///
    /// - Parameter bytes: The data; its length must be a multiple of 4.
    /// - Returns: The text, 5 characters per 4 bytes, or `nil` for a length not divisible by 4.
    public static func encode(_ bytes: [UInt8]) -> String? {
        guard bytes.count % 4 == 0 else { return nil }
        var text = [CChar](repeating: 0, count: bytes.count / 4 * 5 + 1)
        guard zmq_z85_encode(&text, bytes, bytes.count) != nil else { return nil }
        return String(decoding: text.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Decodes Z85 text (`zmq_z85_decode`).
    ///
    /// - Parameter text: The text; its length must be a multiple of 5.
    /// - Returns: The bytes, 4 per 5 characters, or `nil` when the text is not valid Z85.
    public static func decode(_ text: String) -> [UInt8]? {
        let count = text.utf8.count
        guard count % 5 == 0 else { return nil }
        var bytes = [UInt8](repeating: 0, count: count / 5 * 4)
        guard zmq_z85_decode(&bytes, text) != nil else { return nil }
        return bytes
    }
}
