import CZeroMQ

/// A CURVE long-term key pair: the public key to share and the secret key to keep.
public struct CurveKeyPair: Hashable, Sendable {
    /// The key peers use to authenticate this side.
    public let publicKey: CurveKey
    /// The key only this side knows.
    public let secretKey: CurveKey

    /// Pairs two keys that belong together.
    ///
    /// - Parameters:
    ///   - publicKey: The public key.
    ///   - secretKey: The matching secret key.
    public init(publicKey: CurveKey, secretKey: CurveKey) {
        self.publicKey = publicKey
        self.secretKey = secretKey
    }

    /// Rebuilds a pair from its secret key (`zmq_curve_public`).
    ///
    /// - Parameter secretKey: The secret key.
    /// - Throws: ``ZMQError/notSupported`` when libzmq was built without CURVE.
    public init(secretKey: CurveKey) throws(ZMQError) {
        var publicText = [CChar](repeating: 0, count: 41)
        try Self.check(zmq_curve_public(&publicText, secretKey.z85))
        self.init(publicKey: try Self.key(publicText), secretKey: secretKey)
    }

    /// Generates a new random key pair (`zmq_curve_keypair`).
    ///
    /// - Returns: A fresh key pair.
    /// - Throws: ``ZMQError/notSupported`` when libzmq was built without CURVE.
    public static func generate() throws(ZMQError) -> CurveKeyPair {
        var publicText = [CChar](repeating: 0, count: 41)
        var secretText = [CChar](repeating: 0, count: 41)
        try check(zmq_curve_keypair(&publicText, &secretText))
        return CurveKeyPair(publicKey: try key(publicText), secretKey: try key(secretText))
    }

    private static func check(_ rc: Int32) throws(ZMQError) {
        if rc != 0 { throw .last }
    }

    private static func key(_ text: [CChar]) throws(ZMQError) -> CurveKey {
        let string = String(decoding: text.prefix(40).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard let key = CurveKey(z85: string) else { throw .invalidArgument }
        return key
    }
}
