import Foundation
import Testing
import ZeroMQ

/// The transports every round-trip test runs over.
enum Transport: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case tcp, ipc, inproc

    var testDescription: String { rawValue }
}

/// A bound endpoint and whatever must be cleaned up after it.
final class Binding {
    /// The endpoint to connect to (the real one, read back from `lastEndpoint`).
    let endpoint: String
    private let directory: URL?

    /// Binds `socket` on a fresh endpoint of `transport`: a system-chosen port, a file in a
    /// new temporary directory, or a unique inproc name.
    init(_ socket: Socket, _ transport: Transport) throws {
        switch transport {
        case .tcp:
            try socket.bind("tcp://127.0.0.1:*")
            directory = nil
        case .ipc:
            let dir = FileManager.default.temporaryDirectory
                .appendingPathComponent("zmq-test-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            try socket.bind("ipc://\(dir.path)/s")
            directory = dir
        case .inproc:
            try socket.bind("inproc://test-\(UUID().uuidString)")
            directory = nil
        }
        endpoint = try socket.lastEndpoint
    }

    deinit {
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }
}

extension Context {
    /// A socket that never hangs a test: blocking calls give up after five seconds, and
    /// closing does not wait for unsent messages.
    func testSocket(_ type: SocketType) throws -> Socket {
        let socket = try socket(type)
        try socket.set(.receiveTimeout, to: .seconds(5))
        try socket.set(.sendTimeout, to: .seconds(5))
        try socket.set(.linger, to: .zero)
        return socket
    }
}

extension Array where Element == UInt8 {
    /// The UTF-8 bytes of a string, for brief test literals.
    init(_ string: String) {
        self = Array(string.utf8)
    }
}
