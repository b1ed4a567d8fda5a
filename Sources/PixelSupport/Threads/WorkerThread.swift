import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A dedicated OS thread for blocking work: a socket loop, a `poll(2)` loop.
///
/// Blocking calls (libzmq's, `poll(2)`) must never run on Swift's cooperative thread pool.
/// Start a thread, make the sockets inside it, loop, and ``join()`` from the outside:
///
/// ```swift
/// let thread = WorkerThread.start(name: "ingest") {
///     let pull = try context.socket(.pull)
///     try pull.bind(endpoint)
///     var buffer: [UInt8] = []
///     while true { try pull.receive(into: &buffer); … }   // ends with .contextTerminated
/// }
/// context.shutdown()
/// try thread.join()
/// ```
///
/// The body is `sending`, so it may also take over a socket made elsewhere, provided the
/// maker never touches it again.
public final class WorkerThread: Sendable {
    /// What the thread leaves for its joiner: the body's outcome.
    private final class Storage: Sendable {
        let outcome = Mutex<Result<Void, any Error>?>(nil)
    }

    /// Carries the non-`Sendable` body into the new thread.
    private final class Start {
        let name: String
        let body: () throws -> Void
        let storage: Storage

        init(name: String, body: @escaping () throws -> Void, storage: Storage) {
            self.name = name
            self.body = body
            self.storage = storage
        }
    }

    private let storage: Storage
    private let thread: Mutex<JoinHandle?>
    /// The thread's name.
    public let name: String

    private init(name: String, handle: JoinHandle, storage: Storage) {
        self.name = name
        self.storage = storage
        thread = Mutex(handle)
    }

    deinit {
        // An unjoined thread keeps running; release its resources when it ends.
        if let handle = thread.withLock({ $0.take() }) { pthread_detach(handle.id) }
    }

    /// Starts a body on a new thread.
    ///
    /// - Parameters:
    ///   - name: The thread's name, shown by debuggers and `top -H` (first 15 bytes on Linux).
    ///   - body: The work; an error it throws is rethrown by ``join()``.
    /// - Returns: A handle to join the thread with.
    public static func start(name: String, _ body: sending @escaping () throws -> Void) -> WorkerThread {
        let storage = Storage()
        let start = Start(name: name, body: body, storage: storage)
        let context = Unmanaged.passRetained(start).toOpaque()
        #if canImport(Darwin)
        var id: pthread_t?
        #else
        var id = pthread_t()
        #endif
        let rc = pthread_create(&id, nil, { raw in
            let start = Unmanaged<Start>.fromOpaque(raw!).takeRetainedValue()
            WorkerThread.setCurrentName(start.name)
            let outcome = Result { try start.body() }
            start.storage.outcome.withLock { $0 = outcome }
            return nil
        }, context)
        precondition(rc == 0, "pthread_create failed: \(rc)")
        #if canImport(Darwin)
        return WorkerThread(name: name, handle: JoinHandle(id: id!), storage: storage)
        #else
        return WorkerThread(name: name, handle: JoinHandle(id: id), storage: storage)
        #endif
    }

    /// Waits for the thread to end.
    ///
    /// Join once, from one other thread; a later call returns at once.
    ///
    /// - Throws: The error the body threw, if any.
    public func join() throws {
        guard let handle = thread.withLock({ $0.take() }) else { return }
        pthread_join(handle.id, nil)
        try storage.outcome.withLock { $0 }?.get()
    }

    private static func setCurrentName(_ name: String) {
        #if canImport(Darwin)
        pthread_setname_np(name)
        #else
        // Glibc's module hides this GNU extension, so look it up instead.
        typealias SetName = @convention(c) (pthread_t, UnsafePointer<CChar>) -> Int32
        guard let process = dlopen(nil, RTLD_NOW), let symbol = dlsym(process, "pthread_setname_np") else {
            return
        }
        defer { dlclose(process) }
        let setName = unsafeBitCast(symbol, to: SetName.self)
        _ = setName(pthread_self(), String(decoding: name.utf8.prefix(15), as: UTF8.self))
        #endif
    }
}

/// A `pthread_t` that may cross threads: it is only an id.
private struct JoinHandle: @unchecked Sendable {
    let id: pthread_t
}
