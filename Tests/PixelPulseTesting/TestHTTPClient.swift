import Foundation
import NIOCore
import NIOPosix

/// A parsed HTTP/1.1 response.
public struct TestResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    /// The first value of a header, by case-insensitive name.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// A raw HTTP/1.1 client over one TCP connection, so tests can send exactly the bytes
/// they mean, malformed ones included, and read exact responses back.
public struct TestHTTPConnection: ~Copyable {
    private var inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    private var buffer: [UInt8] = []

    /// Connects to the loopback port, runs `body`, and closes the connection.
    public static func with<Result: Sendable>(
        port: Int, _ body: (inout TestHTTPConnection) async throws -> Result
    ) async throws -> Result {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            var connection = TestHTTPConnection(inbound: inbound.makeAsyncIterator(), outbound: outbound)
            return try await body(&connection)
        }
    }

    private init(inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator, outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>) {
        self.inbound = inbound
        self.outbound = outbound
    }

    /// Sends a request and reads its response.
    public mutating func request(
        _ method: String = "GET", _ target: String, headers: [(String, String)] = [], body: [UInt8]? = nil
    ) async throws -> TestResponse {
        try await request(method, target: Array(target.utf8), headers: headers, body: body)
    }

    /// Sends a request whose target is raw bytes, and reads its response.
    public mutating func request(
        _ method: String = "GET", target: [UInt8], headers: [(String, String)] = [], body: [UInt8]? = nil
    ) async throws -> TestResponse {
        var request = Array("\(method) ".utf8) + target + Array(" HTTP/1.1\r\nHost: test\r\n".utf8)
        for (name, value) in headers { request += Array("\(name): \(value)\r\n".utf8) }
        if let body { request += Array("Content-Length: \(body.count)\r\n".utf8) }
        request += Array("\r\n".utf8) + (body ?? [])
        try await send(request)
        guard let response = try await readResponse(isHEAD: method == "HEAD") else {
            throw ClosedError()
        }
        return response
    }

    /// Sends raw bytes.
    public func send(_ bytes: [UInt8]) async throws {
        try await outbound.write(ByteBuffer(bytes: bytes))
    }

    /// Reads one response; `nil` when the server closed the connection first.
    public mutating func readResponse(isHEAD: Bool = false) async throws -> TestResponse? {
        while true {
            if let end = headerEnd() {
                let lines = String(decoding: buffer[..<end], as: UTF8.self).components(separatedBy: "\r\n")
                let status = Int(lines[0].split(separator: " ")[1])!
                let headers = lines.dropFirst().filter { !$0.isEmpty }.map { line in
                    let colon = line.firstIndex(of: ":")!
                    return (name: String(line[..<colon]), value: line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
                }
                var response = TestResponse(status: status, headers: headers, body: [])
                let length = isHEAD || status == 204 || status == 304 ? 0 : Int(response.header("content-length") ?? "0")!
                while buffer.count < end + 4 + length {
                    guard try await fill() else { throw ClosedError() }
                }
                response.body = Array(buffer[(end + 4)..<(end + 4 + length)])
                buffer.removeFirst(end + 4 + length)
                return response
            }
            guard try await fill() else { return nil }
        }
    }

    /// Whether the server closes the connection (reads until end of stream).
    public mutating func isClosedByServer() async -> Bool {
        do {
            while try await fill() {}
            return true
        } catch {
            return true
        }
    }

    private mutating func fill() async throws -> Bool {
        guard let chunk = try await inbound.next() else { return false }
        buffer += chunk.readableBytesView
        return true
    }

    private func headerEnd() -> Int? {
        guard buffer.count >= 4 else { return nil }
        for index in 0...(buffer.count - 4)
        where buffer[index] == 13 && buffer[index + 1] == 10 && buffer[index + 2] == 13 && buffer[index + 3] == 10 {
            return index
        }
        return nil
    }

    public struct ClosedError: Error {}
}

extension TestHTTPConnection {
    /// One request on a fresh connection.
    public static func request(
        port: Int, _ method: String = "GET", _ target: String, headers: [(String, String)] = [], body: [UInt8]? = nil
    ) async throws -> TestResponse {
        try await with(port: port) { try await $0.request(method, target, headers: headers, body: body) }
    }
}
