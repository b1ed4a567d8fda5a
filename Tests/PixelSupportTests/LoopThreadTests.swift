import PixelSupport
import Testing

@Suite struct LoopThreadTests {
    struct Boom: Error {}

    @Test func readyThenStoppedThenItsOutcome() async throws {
        let thread = LoopThread<String, Int>(name: "loop")
        #expect(thread.result == nil)
        thread.start {
            thread.ready("bound")
            var rounds = 0
            while !thread.isStopping { rounds += 1 }
            return rounds
        }
        #expect(try await thread.readiness == "bound")
        thread.stop()
        #expect(try await thread.outcome >= 0)
        thread.join()
        #expect(thread.isStopping)
    }

    @Test func anErrorBeforeReadinessReachesBothWaiters() async throws {
        let thread = LoopThread<Void, Void>(name: "fails")
        thread.start { throw Boom() }
        await #expect(throws: Boom.self) { try await thread.readiness }
        await #expect(throws: Boom.self) { try await thread.outcome }
        thread.join()
        guard case .failure = thread.result else { return #expect(Bool(false), "the outcome is the error") }
    }

    @Test func anErrorAfterReadinessIsTheOutcomeOnly() async throws {
        let thread = LoopThread<Int, Void>(name: "late-failure")
        thread.start {
            thread.ready(1)
            throw Boom()
        }
        #expect(try await thread.readiness == 1)
        await #expect(throws: Boom.self) { try await thread.outcome }
    }
}
