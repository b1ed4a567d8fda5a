import PixelSupport
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whether `descriptor` is readable now, without waiting.
private func isReadable(_ descriptor: Int32) -> Bool {
    var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
    return poll(&entry, 1, 0) == 1
}

@Suite struct WorkerThreadTests {
    @Test func threadJoinsAndRethrows() throws {
        let ran = Atomic<Bool>(false)
        let ok = WorkerThread.start(name: "a-very-long-thread-name") { ran.store(true, ordering: .relaxed) }
        try ok.join()
        try ok.join()
        let didRun = ran.load(ordering: .relaxed)
        #expect(didRun)
        #expect(ok.name == "a-very-long-thread-name")

        struct Boom: Error {}
        let failing = WorkerThread.start(name: "fails") { throw Boom() }
        #expect(throws: Boom.self) { try failing.join() }
    }

    @Test func aOneShotResumesEveryWaiterOnceAndKeepsTheFirstResult() async throws {
        let shot = OneShot<Int>()
        #expect(shot.result == nil)
        async let first = shot.value
        async let second = shot.value
        let resolver = WorkerThread.start(name: "resolver") { shot.succeed(7) }
        #expect(try await first == 7)
        #expect(try await second == 7)
        shot.succeed(8)
        #expect(try await shot.value == 7)
        try resolver.join()
    }

    @Test func aBlockingCallReturnsTheAsyncResultToAPlainThread() throws {
        let result = Mutex<Int?>(nil)
        let thread = WorkerThread.start(name: "blocking-call") {
            let value = blockingCall { () async -> Int in
                await Task.yield()
                return 42
            }
            result.withLock { $0 = value }
        }
        try thread.join()
        #expect(result.withLock { $0 } == 42)
    }

    @Test func aWakeSignalWakesPollAndResetsToOneByte() throws {
        let wake = try WakeSignal()
        for _ in 0..<1000 { wake.signal() }
        #expect(isReadable(wake.readDescriptor))
        wake.reset()
        #expect(!isReadable(wake.readDescriptor))
        wake.signal()
        #expect(isReadable(wake.readDescriptor))
    }

    @Test func aStopFlagIsSeenByTheLoop() throws {
        let stop = StopFlag()
        let loops = Atomic(0)
        let thread = WorkerThread.start(name: "stoppable") {
            while !stop.isStopped { loops.add(1, ordering: .relaxed) }
        }
        while loops.load(ordering: .relaxed) == 0 {}
        stop.stop()
        try thread.join()
        #expect(stop.isStopped)
    }
}
