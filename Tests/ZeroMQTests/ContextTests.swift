import Dispatch
import PixelSupport
import Synchronization
import Testing
import ZeroMQ

@Suite struct ContextTests {
    @Test func shutdownUnblocksAThreadBlockedInReceive() throws {
        let context = try Context()
        let ready = DispatchSemaphore(value: 0)
        let thread = WorkerThread.start(name: "blocked-pull") {
            let pull = try context.socket(.pull)   // no timeout: only shutdown can end this
            try pull.bind("inproc://blocked")
            ready.signal()
            _ = try pull.receive()
        }
        ready.wait()
        // Whether the receive has started yet or not, it must end with ETERM.
        context.shutdown()
        #expect(throws: ZMQError.contextTerminated) { try thread.join() }
        #expect(context.isShuttingDown)
    }

    @Test func shutdownUnblocksAPollAndASend() throws {
        let context = try Context()
        let ready = DispatchSemaphore(value: 0)
        let polling = WorkerThread.start(name: "blocked-poll") {
            let pull = try context.socket(.pull)
            let poller = Poller()
            poller.register(pull)
            ready.signal()
            _ = try poller.poll(timeout: nil)
        }
        let sending = WorkerThread.start(name: "blocked-push") {
            let push = try context.socket(.push)  // no peer: a blocking send waits
            ready.signal()
            try push.send("x")
        }
        ready.wait()
        ready.wait()
        context.shutdown()
        #expect(throws: ZMQError.contextTerminated) { try polling.join() }
        #expect(throws: ZMQError.contextTerminated) { try sending.join() }
        #expect(throws: ZMQError.contextTerminated) { try context.socket(.pull) }
    }

    @Test func contextEndsWithItsLastSocket() throws {
        weak var weakContext: Context?
        do {
            let context = try Context(ioThreads: 2)
            weakContext = context
            let socket = try context.socket(.pub)
            try socket.bind("inproc://ends")
            _ = consume context
            #expect(weakContext != nil, "the socket keeps its context alive")
            socket.close()
        }
        #expect(weakContext == nil)
    }

    @Test func reportsTheLibraryVersion() {
        #expect(LibZMQ.version.major == 4)
        #expect(LibZMQ.has("ipc"))
    }
}
