import Synchronization

/// The life of a worker thread that runs one loop, the same for every socket loop: start
/// it, learn when it is ready (bound, connecting) or why it could not get there, ask it to
/// stop, and await its outcome — from async code, without blocking the cooperative pool.
///
/// ```swift
/// let thread = LoopThread<String, Void>(name: "ingest")
/// thread.start {
///     let router = try context.socket(.router)
///     try router.bind("tcp://127.0.0.1:*")
///     thread.ready(try router.lastEndpoint)
///     while !thread.isStopping { … }                 // poll with a short timeout
/// }
/// let endpoint = try await thread.readiness          // or the error that prevented it
/// thread.stop()
/// try await thread.outcome
/// ```
public final class LoopThread<Ready: Sendable, Outcome: Sendable>: Sendable {
    /// The thread's name, shown by debuggers and `top -H` (first 15 bytes on Linux).
    public let name: String
    private let readied = OneShot<Ready>()
    private let finished = OneShot<Outcome>()
    private let stopping = StopFlag()
    private let thread = Mutex<WorkerThread?>(nil)

    public init(name: String) { self.name = name }

    /// Starts `loop` on a new thread. An error it throws becomes the ``outcome``, and the
    /// ``readiness`` too if it had not reported one.
    public func start(_ loop: sending @escaping () throws -> Outcome) {
        let started = WorkerThread.start(name: name) { [readied, finished] in
            let result = Result { try loop() }
            if case .failure(let error) = result { readied.fail(error) }
            finished.resolve(result)
        }
        thread.withLock { $0 = started }
    }

    /// Reports readiness; called by the loop, once (later calls are ignored).
    public func ready(_ value: Ready) { readied.succeed(value) }

    /// What the loop reported ready with, once it has; rethrows what kept it from it.
    public var readiness: Ready {
        get async throws { try await readied.value }
    }

    /// Whether ``stop()`` was called; the loop checks it between polls.
    public var isStopping: Bool { stopping.isStopped }

    /// Asks the loop to end.
    public func stop() { stopping.stop() }

    /// What the loop returned, once it has ended; rethrows what it threw.
    public var outcome: Outcome {
        get async throws { try await finished.value }
    }

    /// The outcome if the loop has ended; `nil` while it runs.
    public var result: Result<Outcome, any Error>? { finished.result }

    /// Blocks until the thread has ended, for code that cannot await (a `defer`, a
    /// `deinit`); never call it from Swift's cooperative pool while the loop may still run.
    public func join() {
        try? thread.withLock { $0.take() }?.join()
    }
}
