/// What a CURVE client needs: its own long-term key pair and the server's public key.
public struct CurveClientCredentials: Sendable, Hashable {
    public var keyPair: CurveKeyPair
    public var serverKey: CurveKey

    public init(keyPair: CurveKeyPair, serverKey: CurveKey) {
        self.keyPair = keyPair
        self.serverKey = serverKey
    }
}

// CURVE set-up in one call per side; both must happen before bind or connect.
extension Socket {
    /// Makes this socket a CURVE server: peers must know its public key to connect.
    ///
    /// Without a ZAP handler in the context, libzmq 4.3 accepts any client key; install one
    /// to admit only known clients.
    ///
    /// - Parameter secretKey: The server's secret key.
    /// - Throws: ``ZMQError``; call before ``bind(_:)``.
    public func makeCurveServer(secretKey: CurveKey) throws(ZMQError) {
        try set(.curveServer, to: true)
        try set(.curveSecretKey, to: secretKey)
    }

    /// Makes this socket a CURVE client of a server with a known public key.
    ///
    /// - Parameters:
    ///   - keyPair: The client's own long-term key pair.
    ///   - serverKey: The server's public key.
    /// - Throws: ``ZMQError``; call before ``connect(_:)``.
    public func makeCurveClient(keyPair: CurveKeyPair, serverKey: CurveKey) throws(ZMQError) {
        try set(.curveServerKey, to: serverKey)
        try set(.curvePublicKey, to: keyPair.publicKey)
        try set(.curveSecretKey, to: keyPair.secretKey)
    }

    /// Makes this socket a CURVE client with `credentials`; call before ``connect(_:)``.
    public func makeCurveClient(_ credentials: CurveClientCredentials) throws(ZMQError) {
        try makeCurveClient(keyPair: credentials.keyPair, serverKey: credentials.serverKey)
    }
}
