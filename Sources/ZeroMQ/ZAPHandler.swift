import PixelSupport
import Synchronization

/// A ZAP handler (ZeroMQ Authentication Protocol, RFC 27): decides, for every connection
/// to a CURVE server socket of its context, whether the client's key may in.
///
/// Without one, libzmq 4.3 lets in any client that knows the server's public key. The
/// handler answers on `inproc://zeromq.zap.01` from its own thread; a server socket names
/// its policy with ``SocketOption/zapDomain`` so one handler can serve several sockets.
///
/// ```swift
/// let zap = try await ZAPHandler.start(context: context) { request in
///     allowed.contains(request.clientKey) ? .allow(userID: "edge-1") : .deny("unknown key")
/// }
/// ```
///
/// Start it before the server sockets accept connections, and ``stop()`` it after them.
public final class ZAPHandler: Sendable {
    /// One authentication request.
    public struct Request: Sendable, Hashable {
        /// The server socket's ``SocketOption/zapDomain``.
        public var domain: String
        /// The client's IP address.
        public var address: String
        /// `CURVE`, `PLAIN` or `NULL`.
        public var mechanism: String
        /// The client's long-term public key (CURVE only).
        public var clientKey: CurveKey?
    }

    /// What the handler answers.
    public enum Verdict: Sendable, Hashable {
        /// Let in; `userID` becomes the connection's `User-Id` property.
        case allow(userID: String)
        /// Refuse, with a reason (the client's handshake fails with status 400).
        case deny(String)
    }

    /// The endpoint libzmq sends ZAP requests to.
    public static let endpoint = "inproc://zeromq.zap.01"

    private let thread: LoopThread<Void, Void>

    private init(thread: LoopThread<Void, Void>) {
        self.thread = thread
    }

    /// Ends the handler (within 100 ms) and waits for its thread. Afterwards libzmq lets
    /// every client in again, so stop the server sockets first.
    public func stop() throws {
        thread.stop()
        thread.join()
        if case .failure(let error) = thread.result { throw error }
    }

    /// Binds the handler and serves on its own thread; returns once it is bound.
    ///
    /// - Parameters:
    ///   - context: The context whose server sockets it serves (one handler per context).
    ///   - authorize: Called on the handler's thread for every request, one at a time.
    public static func start(
        context: Context, authorize: @escaping @Sendable (Request) -> Verdict
    ) async throws -> ZAPHandler {
        let thread = LoopThread<Void, Void>(name: "zap")
        thread.start {
            let socket = try context.socket(.rep)
            defer { socket.close() }
            try socket.set(.linger, to: .zero)
            try socket.bind(endpoint)
            thread.ready(())
            let poller = Poller()
            poller.register(socket)
            while !thread.isStopping {
                do throws(ZMQError) {
                    guard try poller.poll(timeout: .milliseconds(100)) > 0 else { continue }
                    let frames = try socket.receiveMultipart()
                    try socket.send(reply(to: frames, authorize))
                } catch {
                    guard error == .contextTerminated else { throw error }
                    return
                }
            }
        }
        do {
            try await thread.readiness
        } catch {
            thread.join()
            throw error
        }
        return ZAPHandler(thread: thread)
    }

    /// The reply frames (RFC 27) to a request's frames.
    static func reply(to frames: [[UInt8]], _ authorize: (Request) -> Verdict) -> [[UInt8]] {
        let text = { (index: Int) in frames.indices.contains(index) ? String(decoding: frames[index], as: UTF8.self) : "" }
        let id = frames.indices.contains(1) ? frames[1] : []
        func answer(_ code: String, _ status: String, user: String = "") -> [[UInt8]] {
            [Array("1.0".utf8), id, Array(code.utf8), Array(status.utf8), Array(user.utf8), []]
        }
        guard frames.count >= 6, text(0) == "1.0" else { return answer("500", "malformed ZAP request") }
        let mechanism = text(5)
        var key: CurveKey?
        if mechanism == "CURVE" {
            guard frames.count == 7, let clientKey = CurveKey(bytes: frames[6]) else {
                return answer("400", "malformed CURVE credentials")
            }
            key = clientKey
        }
        switch authorize(Request(domain: text(2), address: text(3), mechanism: mechanism, clientKey: key)) {
        case .allow(let user): return answer("200", "OK", user: user)
        case .deny(let reason): return answer("400", reason)
        }
    }
}
