import NIOCore
import PixelCore

/// One event loop's fixed responses, rebuilt every second so their `Date` header stays
/// current.
///
/// Lives on its loop: the handlers of that loop's connections read ``current`` and a
/// repeated task on the same loop replaces it, so no lock is needed and no buffer is
/// shared between threads.
final class ResponseCache {
    private(set) var current: StaticResponses
    /// The current `Date` header value, for the responses made per request.
    private(set) var date: String
    private var second: Int64
    private let allocator: ByteBufferAllocator

    init(allocator: ByteBufferAllocator) {
        self.allocator = allocator
        second = WallClock.milliseconds() / 1000
        date = HTTPDate.format(secondsSinceEpoch: second)
        current = StaticResponses(allocator: allocator, date: date)
    }

    /// Rebuilds the responses if the second has changed.
    func refresh() {
        let now = WallClock.milliseconds() / 1000
        guard now != second else { return }
        second = now
        date = HTTPDate.format(secondsSinceEpoch: now)
        current = StaticResponses(allocator: allocator, date: date)
    }

    /// A cache per event loop of `group`, each made on and refreshed by its own loop.
    static func perLoop(of group: any EventLoopGroup) async throws -> [ObjectIdentifier: NIOLoopBound<ResponseCache>] {
        var caches: [ObjectIdentifier: NIOLoopBound<ResponseCache>] = [:]
        for loop in group.makeIterator() {
            caches[ObjectIdentifier(loop)] = try await loop.submit {
                let cache = NIOLoopBound(ResponseCache(allocator: ByteBufferAllocator()), eventLoop: loop)
                loop.scheduleRepeatedTask(initialDelay: .milliseconds(100), delay: .milliseconds(100)) { _ in
                    cache.value.refresh()
                }
                return cache
            }.get()
        }
        return caches
    }
}
