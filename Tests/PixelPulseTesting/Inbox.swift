import Synchronization

/// A queue that one task awaits with a timeout: how tests wait for what a socket thread
/// received, without sleeping.
public final class Inbox<Element: Sendable>: Sendable {
    private struct Waiter {
        let id: Int
        let continuation: CheckedContinuation<Element?, Never>
        let timer: Task<Void, Never>
    }

    private struct State {
        var items: [Element] = []
        var waiter: Waiter?
        var nextID = 0
    }

    private let state = Mutex(State())

    public init() {}

    public func put(_ element: Element) {
        let waiter: Waiter? = state.withLock { state in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.items.append(element)
            return nil
        }
        if let waiter {
            waiter.timer.cancel()
            waiter.continuation.resume(returning: element)
        }
    }

    /// The next element, or `nil` when none arrives within `timeout`.
    public func next(timeout: Duration = .seconds(5)) async -> Element? {
        await withCheckedContinuation { continuation in
            let ready: Element?? = state.withLock { state in
                if !state.items.isEmpty { return .some(state.items.removeFirst()) }
                let id = state.nextID
                state.nextID += 1
                let timer = Task { [weak self] in
                    try? await Task.sleep(for: timeout)
                    self?.expire(id)
                }
                state.waiter = Waiter(id: id, continuation: continuation, timer: timer)
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    /// Everything received and not yet taken.
    public func drain() -> [Element] {
        state.withLock { state in
            defer { state.items.removeAll() }
            return state.items
        }
    }

    private func expire(_ id: Int) {
        let waiter: Waiter? = state.withLock { state in
            guard let waiter = state.waiter, waiter.id == id else { return nil }
            state.waiter = nil
            return waiter
        }
        waiter?.continuation.resume(returning: nil)
    }
}
