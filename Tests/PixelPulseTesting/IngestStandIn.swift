import Foundation
public import PixelCore
import PixelSupport
public import Synchronization
public import ZeroMQ

/// A real ROUTER socket standing in for the aggregator's ingest socket: it decodes each
/// batch, hands it to the test, and (unless told not to) acknowledges it.
public final class IngestStandIn: Sendable {
    /// The endpoint the ROUTER is bound to, with the real port.
    public let endpoint: String
    /// Every batch received, in order.
    public let batches = Inbox<EventBatch>()
    /// Frames that did not decode as a batch.
    public let undecodable = Atomic<Int>(0)
    private let stopping = Atomic<Bool>(false)
    private let ended = OneShot<Void>()

    private init(endpoint: String) {
        self.endpoint = endpoint
    }

    /// Binds a ROUTER and starts serving it on its own thread.
    ///
    /// - Parameters:
    ///   - context: The ZeroMQ context.
    ///   - endpoint: Where to bind; a free loopback port by default.
    ///   - acknowledge: Whether to answer each batch with an accepted `IngestAck`.
    public static func start(context: Context, endpoint: String = "tcp://127.0.0.1:*", acknowledge: Bool = true) throws -> IngestStandIn {
        let router = try context.socket(.router)
        try router.set(.linger, to: .zero)
        try router.bind(endpoint)
        let standIn = IngestStandIn(endpoint: try router.lastEndpoint)
        _ = WorkerThread.start(name: "test-ingest") { [standIn] in
            defer {
                router.close()
                standIn.ended.succeed(())
            }
            let poller = Poller()
            poller.register(router)
            // The short poll only bounds how long stop() waits.
            while !standIn.stopping.load(ordering: .acquiring) {
                guard try poller.poll(timeout: .milliseconds(10)) > 0 else { continue }
                while let frames = try router.tryReceiveMultipart() {
                    guard frames.count == 2, let batch = try? EventBatch.decode(frames[1]) else {
                        standIn.undecodable.add(1, ordering: .relaxed)
                        continue
                    }
                    standIn.batches.put(batch)
                    if acknowledge {
                        try router.send([frames[0], IngestAck(sequence: batch.sequence, status: .accepted).encoded()])
                    }
                }
            }
        }
        return standIn
    }

    /// Closes the ROUTER and waits until it is closed.
    public func stop() async {
        stopping.store(true, ordering: .releasing)
        try? await ended.value
    }

    /// Waits for batches until they hold `count` events in all.
    public func events(count: Int, timeout: Duration = .seconds(5)) async -> [EventBatch] {
        var received: [EventBatch] = []
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while received.reduce(0, { $0 + $1.count }) < count {
            let left = ContinuousClock.now.duration(to: deadline)
            guard left > .zero, let batch = await batches.next(timeout: left) else { break }
            received.append(batch)
        }
        return received
    }
}

extension IngestStandIn {
    /// Waits for batches until the distinct ones hold `count` events in all; returns them in
    /// the order they first arrived, and how many arrived again (resent: a link that came up
    /// just after a send makes the collector send its unacknowledged batches again).
    public func distinctEvents(count: Int, timeout: Duration = .seconds(10)) async -> (batches: [EventBatch], repeats: Int) {
        var received: [EventBatch] = []
        var seen: Set<UInt64> = []
        var repeats = 0
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while received.reduce(0, { $0 + $1.count }) < count {
            let left = ContinuousClock.now.duration(to: deadline)
            guard left > .zero, let batch = await batches.next(timeout: left) else { break }
            if seen.insert(batch.sequence).inserted { received.append(batch) } else { repeats += 1 }
        }
        return (received, repeats)
    }
}

/// A fresh `ipc://` endpoint in the temporary directory, for a ROUTER that binds late.
public func temporaryIPCEndpoint() -> String {
    "ipc://\(FileManager.default.temporaryDirectory.path)/pixelpulse-test-\(UUID().uuidString.prefix(8)).ipc"
}
