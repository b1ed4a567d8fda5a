import Foundation
import PixelPulseTesting
import Synchronization
import ZeroMQ

enum TestFailure: Error, CustomStringConvertible {
    case message(String)
    var description: String {
        switch self {
        case .message(let text): text
        }
    }
}

/// A child process whose standard output is read line by line.
final class ChildProcess: @unchecked Sendable {
    let process = Process()
    private let output = Pipe()
    private let lines = Mutex<(buffer: [UInt8], lines: [String])>(([], []))

    /// - Parameter withErrors: Read standard error too (the logs), mixed with standard output.
    init(_ executable: URL, _ arguments: [String], withErrors: Bool = false) throws {
        process.executableURL = executable
        process.arguments = arguments
        process.standardOutput = output
        process.standardError = withErrors ? output : FileHandle.nullDevice
        try process.run()
    }

    /// Reads until a line starting with `prefix`, returning the rest of it.
    func value(after prefix: String, timeout: Duration = .seconds(30)) async throws -> String {
        let line = try await line(startingWithAnyOf: [prefix], timeout: timeout)
        return String(line.dropFirst(prefix.count)).trimmingCharacters(in: .whitespaces)
    }

    /// Reads until a line starting with one of `prefixes`, returning it whole.
    func line(startingWithAnyOf prefixes: [String], timeout: Duration = .seconds(90)) async throws -> String {
        try await line(where: { line in prefixes.contains { line.hasPrefix($0) } }, describedAs: "\(prefixes)", timeout: timeout)
    }

    /// Reads until a line containing `text`, returning it whole.
    func line(containing text: String, timeout: Duration = .seconds(90)) async throws -> String {
        try await line(where: { $0.contains(text) }, describedAs: "containing \(text)", timeout: timeout)
    }

    private func line(where matches: @escaping @Sendable (String) -> Bool, describedAs description: String, timeout: Duration) async throws -> String {
        try await onSocketThread { [self] in
            let deadline = ContinuousClock.now + timeout
            while ContinuousClock.now < deadline {
                if let line = lines.withLock({ state in state.lines.first(where: matches) }) {
                    return line
                }
                // Wait for output no longer than the deadline: a silent process must not hang the test.
                var ready = pollfd(fd: output.fileHandleForReading.fileDescriptor, events: Int16(POLLIN), revents: 0)
                let left = ContinuousClock.now.duration(to: deadline).components
                guard poll(&ready, 1, Int32(max(1, left.seconds * 1000 + left.attoseconds / 1_000_000_000_000_000))) > 0 else { continue }
                let chunk = output.fileHandleForReading.availableData
                guard !chunk.isEmpty else {
                    let seen = lines.withLock { $0.lines.suffix(20).joined(separator: "\n") }
                    throw TestFailure.message("\(process.executableURL!.lastPathComponent) closed its output before a line \(description); its last lines:\n\(seen)")
                }
                lines.withLock { state in
                    state.buffer += chunk
                    while let newline = state.buffer.firstIndex(of: UInt8(ascii: "\n")) {
                        state.lines.append(String(decoding: state.buffer[..<newline], as: UTF8.self))
                        state.buffer.removeSubrange(...newline)
                    }
                }
            }
            throw TestFailure.message("no line \(description) within \(timeout)")
        }
    }

    /// The lines read so far.
    var linesRead: [String] { lines.withLock { $0.lines } }

    /// Waits for the process to end by itself: its exit status.
    func exitStatus() async throws -> Int32 {
        try await onSocketThread { [process] in
            process.waitUntilExit()
            return process.terminationStatus
        }
    }

    /// Sends SIGTERM and waits for the exit status.
    func terminate() async throws -> Int32 {
        process.terminate()
        return try await onSocketThread { [process] in
            process.waitUntilExit()
            return process.terminationStatus
        }
    }

    deinit { if process.isRunning { process.terminate() } }
}

enum Paths {
    /// The package's root folder.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The built `pixelpulse` executable, beside the test bundle.
    static var pixelpulse: URL {
        get throws {
            let besideTests = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            for folder in [besideTests, besideTests.deletingLastPathComponent(), root.appendingPathComponent(".build/debug")] {
                let candidate = folder.appendingPathComponent("pixelpulse")
                if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            }
            throw TestFailure.message("pixelpulse executable not found near \(besideTests.path); run `swift build` first")
        }
    }

    static let feedCheck = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("feed_check.py")

    static let alertCheck = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("alert_check.py")

    static let segmentsCheck = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("segments_check.py")

    static let cutProxy = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("cut_proxy.py")

    static let webhookReceiver = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("webhook_receiver.py")

    /// The Python snapshot + live-feed recipe users copy.
    static let subscriberExample = root.appendingPathComponent("Deploy/examples/subscriber.py")
}

/// Runs a command to completion, returning its exit status and standard output.
func run(
    _ executable: String, _ arguments: [String], environment: [String: String]? = nil
) async throws -> (status: Int32, output: String) {
    try await onSocketThread {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

/// Requests every URL with curl (as `userAgent`, if given), 200 to a process, throwing the
/// answers away; throws unless every request succeeds (2xx).
func fire(_ urls: [String], userAgent: String? = nil) async throws {
    for start in stride(from: 0, to: urls.count, by: 200) {
        let curl = try await run("/usr/bin/curl", ["-sS", "--fail"] + (userAgent.map { ["-A", $0] } ?? [])
            + urls[start..<min(start + 200, urls.count)].flatMap { ["-o", "/dev/null", $0] })
        guard curl.status == 0 else { throw TestFailure.message("curl: \(curl.output)") }
    }
}

/// Requests every URL with curl, 200 to a process, and tells which were answered `200`
/// (a refused or cut connection is not), in order.
func answered(_ urls: [String]) async throws -> [Bool] {
    var answers: [Bool] = []
    for start in stride(from: 0, to: urls.count, by: 200) {
        let part = urls[start..<min(start + 200, urls.count)]
        let curl = try await run("/usr/bin/curl", ["-s", "--max-time", "10"] + part.flatMap { ["-o", "/dev/null", "-w", "%{http_code}\n", $0] })
        let codes = curl.output.split(separator: "\n")
        guard codes.count == part.count else { throw TestFailure.message("curl: \(curl.output)") }
        answers += codes.map { $0 == "200" }
    }
    return answers
}

/// One sample of a Prometheus text page, such as `metric(at: http, "pixelpulse_collector_spool_bytes")`;
/// `nil` when the page cannot be read or lacks it.
func metric(at http: String, _ sample: String) async throws -> Double? {
    let page = try await run("/usr/bin/curl", ["-sS", "--fail", "\(http)/metrics"])
    guard page.status == 0 else { return nil }
    return page.output.split(separator: "\n").first { $0.hasPrefix(sample + " ") }
        .flatMap { Double($0.dropFirst(sample.count + 1)) }
}

/// A fresh folder in the temporary directory, for an aggregator's `ipc://` endpoints (so a
/// restarted one binds the same ones) and its data; ``remove()`` deletes it.
struct ScratchFolder {
    let url: URL

    init(_ name: String) throws {
        url = FileManager.default.temporaryDirectory.appending(path: "pixelpulse-\(name)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(at: url) }

    var ingest: String { "ipc://\(url.path)/ingest" }
    var feed: String { "ipc://\(url.path)/feed" }

    /// `pixelpulse aggregator` on this folder's endpoints, publishing every 50 ms, then `extra`.
    func aggregatorArguments(_ extra: [String] = []) -> [String] {
        ["aggregator", "--ingest", ingest, "--feed", feed, "--snapshot", "ipc://\(url.path)/snapshot", "--tick-ms", "50"] + extra
    }
}
