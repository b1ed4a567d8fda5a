import PixelSupport

/// Runs blocking work (sockets, pipes, child processes) on its own thread, never on
/// Swift's cooperative pool, and awaits its result.
public func onSocketThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
        // The handle is dropped (the thread is detached); the continuation carries the result.
        _ = WorkerThread.start(name: "test-thread") { @Sendable in
            continuation.resume(with: Result { try body() })
        }
    }
}
