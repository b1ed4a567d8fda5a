import Dispatch
import Foundation
import PixelAggregator
import PixelCore
import PixelPulseClient
import PixelPulseTesting
import PixelSupport
import Synchronization
import Testing
import ZeroMQ

/// "Slow subscribers never hurt anyone": a subscriber that stops reading loses messages at
/// the publisher's high-water mark, notices the skip in `seq` and resyncs to the exact
/// totals, while a subscriber that keeps reading loses nothing.
@Suite(.serialized) struct SlowSubscriberTests {
    static let pixels = 500
    static let rounds = 40

    @Test func aPausedSubscriberDetectsItsGapAndResyncsWhileAReadingOneMissesNothing() async throws {
        let context = try Context()
        // ipc: the kernel buffers little of a paused connection, so the queues overflow soon.
        let live = try await LiveAggregator.start(LiveAggregator.configuration(.ipc(), feedHighWaterMark: 1_000), context: context)
        let reader = FeedReader(feed: live.endpoints.feed, context: context)
        defer { reader.stop() }
        let relay = try PausableRelay(feed: live.endpoints.feed, context: context)
        defer { relay.stop() }
        // The paused subscriber: a FeedClient of everything whose only way to the feed is
        // the relay's SUB socket; no silence resync while it is paused.
        let client = FeedClient(feed: relay.endpoint, snapshot: live.endpoints.snapshot, context: context,
                                silenceTimeout: .seconds(60))
        var states = client.updates(prefix: "").makeAsyncIterator()
        var seqs = reader.seqs.makeAsyncIterator()

        // Both subscriptions are live: the reader got a heartbeat, the client a snapshot.
        var received = [try #require(await seqs.next())]
        let initial = try #require(try await states.next())
        #expect(initial.event == .snapshot)

        relay.pause()
        for round in 0..<Self.rounds {
            // One update per pixel and the rollup per round (half the high-water mark), and
            // the reader drains each round before the next: it never reaches the mark.
            try await send(viewBatches(Self.pixels, campaign: "c1", pixels: Self.pixels, firstSequence: UInt64(round + 1)),
                           to: live.endpoints.ingest, context: context)
            await live.aggregator.publishChanges(all: true)
            let target = await live.aggregator.seq
            while received.last! < target { received.append(try #require(await seqs.next())) }
        }
        let published = await live.aggregator.seq
        #expect(published > 20_000)
        #expect(received == Array(received[0]...received.last!), "the reading subscriber saw every seq")
        #expect(received.count >= Self.rounds * (Self.pixels + 1))

        // Resume: the client reads the backlog its queues kept, sees `seq` skip, resyncs.
        relay.resume()
        var state = initial
        repeat {
            state = try #require(try await states.next())
            #expect(state.event != .resynced(.silence) && state.event != .resynced(.restarted))
        } while state.event != .resynced(.gap)
        #expect(state.seq >= published)
        #expect(state.stats.count == Self.pixels + 1)
        #expect(state.stats["stats/c1/*/"]?.windows["1h"]?.views == UInt64(Self.rounds * Self.pixels))
        #expect(state.stats.values.allSatisfy { $0.pixel == nil || $0.windows["1h"]?.views == UInt64(Self.rounds) })
        try await live.stop()
    }
}

/// A SUB of everything on its own thread that reads all the time, with no receive limit,
/// and yields the `seq` of every message in order.
final class FeedReader: Sendable {
    let seqs: AsyncStream<UInt64>
    private let stopped = Atomic<Bool>(false)

    init(feed: String, context: Context) {
        let (stream, continuation) = AsyncStream<UInt64>.makeStream()
        seqs = stream
        _ = WorkerThread.start(name: "test-reader") { [self] in
            defer { continuation.finish() }
            let sub = try context.socket(.sub)
            defer { sub.close() }
            try sub.set(.linger, to: .zero)
            try sub.set(.receiveHighWaterMark, to: 0)
            try sub.subscribe("")
            try sub.connect(feed)
            let poller = Poller()
            poller.register(sub)
            var ready = false
            while !stopped.load(ordering: .relaxed) {
                _ = try poller.poll(timeout: .milliseconds(50))
                while let frames = try sub.tryReceiveMultipart() {
                    guard frames.count == 2 else { continue }
                    let seq: UInt64?
                    if frames[0] == Array(FeedTopic.heartbeat.utf8) {
                        seq = FeedHeartbeat(json: frames[1])?.seq
                        ready = true  // The heartbeat proves the subscription reached the publisher.
                    } else if frames[0].starts(with: FeedTopic.segmentsPrefix.utf8) {
                        seq = FeedSegments(json: frames[1])?.seq
                    } else {
                        seq = FeedStats(json: frames[1])?.seq
                    }
                    if ready, let seq { continuation.yield(seq) }
                }
            }
        }
    }

    func stop() { stopped.store(true, ordering: .relaxed) }
}

/// Forwards the feed from its own SUB socket to an inproc PUB, except while paused: then
/// its SUB is not read at all, so the aggregator's queue for it fills and drops, exactly
/// as for a subscriber that stopped reading.
final class PausableRelay: Sendable {
    let endpoint = "inproc://relay-\(UUID().uuidString)"
    private let mode = Atomic<Int>(0)  // 0 forwarding, 1 paused, 2 stopped
    private let resumed = DispatchSemaphore(value: 0)

    init(feed: String, context: Context) throws {
        let pub = try context.socket(.pub)
        try pub.set(.sendHighWaterMark, to: 0)
        try pub.set(.linger, to: .zero)
        try pub.bind(endpoint)
        _ = WorkerThread.start(name: "test-relay") { [self] in
            defer { pub.close() }
            let sub = try context.socket(.sub)
            defer { sub.close() }
            try sub.set(.linger, to: .zero)
            try sub.set(.receiveHighWaterMark, to: 100)
            try sub.subscribe("")
            try sub.connect(feed)
            let poller = Poller()
            poller.register(sub)
            while true {
                switch mode.load(ordering: .acquiring) {
                case 1: resumed.wait()
                case 2: return
                default:
                    _ = try poller.poll(timeout: .milliseconds(50))
                    while mode.load(ordering: .acquiring) == 0, let frames = try sub.tryReceiveMultipart() {
                        try pub.send(frames)
                    }
                }
            }
        }
    }

    func pause() { mode.store(1, ordering: .releasing) }

    func resume() {
        mode.store(0, ordering: .releasing)
        resumed.signal()
    }

    func stop() {
        mode.store(2, ordering: .releasing)
        resumed.signal()
    }
}
