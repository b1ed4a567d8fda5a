import Synchronization

/// A result that is set once, from any thread, and awaited by any number of tasks.
///
/// Bridges events from worker threads (``WorkerThread``) and event loops — a socket is bound,
/// a thread ended — to `async` code without polling and without blocking Swift's
/// cooperative threads.
public final class OneShot<Value: Sendable>: Sendable {
    private enum State {
        case waiting([CheckedContinuation<Value, any Error>])
        case done(Result<Value, any Error>)
    }

    private let state = Mutex<State>(.waiting([]))

    /// Creates an unset result.
    public init() {}

    /// Sets the result and resumes every waiter; later calls are ignored.
    public func resolve(_ result: Result<Value, any Error>) {
        let waiters: [CheckedContinuation<Value, any Error>] = state.withLock { state in
            guard case .waiting(let waiters) = state else { return [] }
            state = .done(result)
            return waiters
        }
        for waiter in waiters { waiter.resume(with: result) }
    }

    public func succeed(_ value: Value) { resolve(.success(value)) }

    public func fail(_ error: any Error) { resolve(.failure(error)) }

    /// The result once it is set; `nil` before.
    public var result: Result<Value, any Error>? {
        state.withLock { state in
            if case .done(let result) = state { return result }
            return nil
        }
    }

    /// Waits for the result.
    public var value: Value {
        get async throws {
            try await withCheckedThrowingContinuation { continuation in
                let ready: Result<Value, any Error>? = state.withLock { state in
                    switch state {
                    case .waiting(var waiters):
                        waiters.append(continuation)
                        state = .waiting(waiters)
                        return nil
                    case .done(let result):
                        return result
                    }
                }
                if let ready { continuation.resume(with: ready) }
            }
        }
    }
}
