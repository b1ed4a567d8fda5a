import Foundation

/// A child process whose standard output is read line by line, on a thread of its own.
final class ChildProcess {
    private let process: Process
    private var iterator: AsyncStream<String>.Iterator

    init(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        let (lines, continuation) = AsyncStream<String>.makeStream()
        try process.run()
        let handle = pipe.fileHandleForReading
        Thread {
            var pending = Data()
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                pending += chunk
                while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    continuation.yield(String(decoding: pending[pending.startIndex..<newline], as: UTF8.self))
                    pending.removeSubrange(pending.startIndex...newline)
                }
            }
            continuation.finish()
        }.start()
        self.process = process
        iterator = lines.makeAsyncIterator()
    }

    /// The next line printed, `nil` once the output ends.
    func line() async -> String? {
        await iterator.next()
    }

    /// Waits for the exit (after the output ended) and returns its status.
    func exitStatus() async -> Int32 {
        while await line() != nil {}
        process.waitUntilExit()
        return process.terminationStatus
    }

    deinit { if process.isRunning { process.terminate() } }
}
