import Dispatch
import Synchronization

/// Runs async work from a plain thread and waits for its result.
///
/// Only for dedicated worker threads (``WorkerThread``): it blocks the calling thread,
/// which is the point (backpressure on a socket), and must never be called from Swift's
/// cooperative pool.
@discardableResult
public func blockingCall<T: Sendable>(_ operation: @escaping @Sendable () async -> T) -> T {
    let done = DispatchSemaphore(value: 0)
    let result = Mutex<T?>(nil)
    Task.detached {
        let value = await operation()
        result.withLock { $0 = value }
        done.signal()
    }
    done.wait()
    return result.withLock { $0! }
}
