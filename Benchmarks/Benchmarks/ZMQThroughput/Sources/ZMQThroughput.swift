// zmq-throughput: the Swift twin of `Reference/zmq_thr.c`, the libzmq throughput reference.
//
// Same flags, same structure, same output line, so `scripts/zmq_vs_c.sh` can run the two
// alternately and compare them with one field parser:
//
// * one process, two `WorkerThread`s, each with its own `Context` (own I/O thread), as two
//   processes would have: the receiver binds PULL (or SUB), the sender connects PUSH (or PUB);
// * a sync message goes through first (PUB repeats it every 1 ms, which also defeats the
//   PUB/SUB slow joiner); t0 = the sender's first data send, t1 = the receiver's last receive;
// * `--batch K` packs K events of `--event-bytes` bytes, each a fresh copy with its own
//   sequence number at byte 8, into one message; the receiver reads every event's 8 bytes
//   back and sums them into `checksum`, exactly like the C loop;
// * the sender keeps its socket open until the receiver has everything (closing right after
//   the last send can lose the queued tail in libzmq 4.3.4, see FACTS.md);
// * exit status 3 and `lost=N` after `--timeout-ms` of silence before all events arrived.
//
// The hot loops use the binding's allocation-free paths, as a real producer and consumer
// would: the sender packs into one reused `[UInt8]` and sends it with `send(_:)` (libzmq
// copies it, as `zmq_send` does in C); the receiver receives into one reused `[UInt8]` with
// `receive(into:)` (one copy, as `zmq_recv` into a buffer does in C).
//
// One addition over C, outside the timed region: when every event arrived, the checksum must
// be the sum of all sequence numbers 0..<N; otherwise the tool says so on stderr and exits 4.
//
// Usage: zmq-throughput [--pattern pushpull|pubsub] [--endpoint tcp://127.0.0.1:15555]
//                       [--events 1000000] [--event-bytes 64] [--batch 1]
//                       [--topic px.] [--hwm N] [--timeout-ms 5000]

import PixelSupport
import Synchronization
import ZeroMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The command line, with zmq_thr.c's defaults.
struct Configuration: Sendable {
    var pattern = "pushpull"
    var endpoint = "tcp://127.0.0.1:15555"
    var events = 1_000_000
    var eventBytes = 64
    var batch = 1
    var topic = "px."
    /// -1: the libzmq default (1000) for PUSH/PULL; PUB/SUB default to 0 (unlimited).
    var hwm = -1
    var timeoutMilliseconds = 5000

    var isPubSub: Bool { pattern == "pubsub" }
    var messageBytes: Int { eventBytes * batch }
    /// Where each event's sequence number sits (and where the receiver reads 8 bytes).
    var sequenceOffset: Int { eventBytes >= 16 ? 8 : 0 }

    init(arguments: [String]) {
        var index = 0
        while index < arguments.count {
            guard index + 1 < arguments.count else { usage() }
            let value = arguments[index + 1]
            switch arguments[index] {
            case "--pattern": pattern = value
            case "--endpoint": endpoint = value
            case "--events": events = Self.integer(value)
            case "--event-bytes": eventBytes = Self.integer(value)
            case "--batch": batch = Self.integer(value)
            case "--topic": topic = value
            case "--hwm": hwm = Self.integer(value)
            case "--timeout-ms": timeoutMilliseconds = Self.integer(value)
            default: usage()
            }
            index += 2
        }
        guard pattern == "pushpull" || pattern == "pubsub" else { usage() }
        guard batch >= 1, eventBytes >= 8, events >= batch else { usage() }
        events -= events % batch
        if isPubSub && hwm < 0 { hwm = 0 }  // unlimited: measure, don't drop
    }

    private static func integer(_ text: String) -> Int {
        guard let value = Int(text) else { usage() }
        return value
    }
}

/// What the two threads share: the handshake flags and the results, all atomics.
final class Shared: Sendable {
    /// The receiver has bound; the sender may connect.
    let receiverReady = Atomic<Bool>(false)
    /// The receiver got the sync message; the sender may start the clock.
    let syncSeen = Atomic<Bool>(false)
    /// The receiver got everything (or gave up); the sender may close.
    let receiverDone = Atomic<Bool>(false)
    /// CLOCK_MONOTONIC nanoseconds at the sender's first data send.
    let t0 = Atomic<UInt64>(0)
    /// CLOCK_MONOTONIC nanoseconds at the receiver's last receive.
    let t1 = Atomic<UInt64>(0)
    let receivedEvents = Atomic<Int>(0)
    let checksum = Atomic<UInt64>(0)
    /// A receive failed (timed out): events were lost.
    let receiveFailed = Atomic<Bool>(false)
}

@main
enum ZMQThroughput {
    static let syncMessage: [UInt8] = Array("sync".utf8)

    static func main() {
        let config = Configuration(arguments: Array(CommandLine.arguments.dropFirst()))
        let shared = Shared()

        let receiverThread = WorkerThread.start(name: "zmq-thr-recv") { receiver(config, shared) }
        let senderThread = WorkerThread.start(name: "zmq-thr-send") { sender(config, shared) }
        try? senderThread.join()  // the bodies never throw: every failure ends the process
        try? receiverThread.join()

        let seconds = Double(shared.t1.load(ordering: .acquiring) &- shared.t0.load(ordering: .acquiring)) / 1e9
        let received = shared.receivedEvents.load(ordering: .acquiring)
        let checksum = shared.checksum.load(ordering: .acquiring)
        let messages = Double(received) / Double(config.batch)
        print("pattern=\(config.pattern) endpoint=\(config.endpoint) event_bytes=\(config.eventBytes) "
            + "batch=\(config.batch) msg_bytes=\(config.messageBytes) events=\(config.events) "
            + "received=\(received) lost=\(config.events - received) secs=\(fixed(seconds, 4)) "
            + "msgs_per_s=\(fixed(messages / seconds, 0)) events_per_s=\(fixed(Double(received) / seconds, 0)) "
            + "MB_per_s=\(fixed(Double(received) * Double(config.eventBytes) / seconds / 1e6, 1)) "
            + "checksum=\(checksum)")

        if shared.receiveFailed.load(ordering: .acquiring) { exit(3) }
        if config.sequenceOffset == 8, checksum != sumOfSequenceNumbers(config.events) {
            printError("zmq-throughput: checksum \(checksum) is not the sum of sequence numbers 0..<\(config.events)\n")
            exit(4)
        }
    }

    /// The receiver thread: binds PULL/SUB, waits for the sync message, then reads `events`
    /// events and records t1.
    static func receiver(_ config: Configuration, _ shared: Shared) {
        let context = orDie("zmq_ctx_new") { () throws(ZMQError) in try Context() }
        let socket = orDie("zmq_socket(receiver)") { () throws(ZMQError) in
            try context.socket(config.isPubSub ? .sub : .pull)
        }
        if config.hwm >= 0 {
            orDie("RCVHWM") { () throws(ZMQError) in try socket.set(.receiveHighWaterMark, to: config.hwm) }
        }
        if config.isPubSub {
            orDie("SUBSCRIBE topic") { () throws(ZMQError) in try socket.subscribe(config.topic) }
            orDie("SUBSCRIBE sync") { () throws(ZMQError) in try socket.subscribe(syncMessage) }
        }
        orDie("zmq_bind") { () throws(ZMQError) in try socket.bind(config.endpoint) }
        shared.receiverReady.store(true, ordering: .releasing)

        let messageBytes = config.messageBytes
        var buffer: [UInt8] = []
        buffer.reserveCapacity(messageBytes + 64)

        // Wait for the sync message(s); extra sync copies are skipped below by their size.
        repeat {
            orDie("zmq_recv(sync)") { () throws(ZMQError) in try socket.receive(into: &buffer) }
        } while buffer != syncMessage
        shared.syncSeen.store(true, ordering: .releasing)

        orDie("RCVTIMEO") { () throws(ZMQError) in
            try socket.set(.receiveTimeout, to: .milliseconds(config.timeoutMilliseconds))
        }
        let events = config.events, batch = config.batch
        let eventBytes = config.eventBytes, sequenceOffset = config.sequenceOffset
        var sum: UInt64 = 0
        var got = 0
        var failed = false
        while got < events {
            do {
                try socket.receive(into: &buffer)
            } catch {
                failed = true  // timeout: messages lost
                break
            }
            if buffer.count != messageBytes { continue }  // stray sync message
            buffer.withUnsafeBytes { raw in
                for index in 0..<batch {
                    sum &+= raw.loadUnaligned(fromByteOffset: index * eventBytes + sequenceOffset, as: UInt64.self)
                }
            }
            got += batch
        }
        shared.t1.store(monotonicNanoseconds(), ordering: .releasing)
        shared.receivedEvents.store(got, ordering: .releasing)
        shared.checksum.store(sum, ordering: .releasing)
        shared.receiveFailed.store(failed, ordering: .releasing)
        shared.receiverDone.store(true, ordering: .releasing)
        socket.close()
    }

    /// The sender thread: connects PUSH/PUB, sends sync until the receiver has seen it, then
    /// records t0 and sends `events / batch` packed messages.
    static func sender(_ config: Configuration, _ shared: Shared) {
        let context = orDie("zmq_ctx_new") { () throws(ZMQError) in try Context() }
        let socket = orDie("zmq_socket(sender)") { () throws(ZMQError) in
            try context.socket(config.isPubSub ? .pub : .push)
        }
        if config.hwm >= 0 {
            orDie("SNDHWM") { () throws(ZMQError) in try socket.set(.sendHighWaterMark, to: config.hwm) }
        }
        try? socket.set(.linger, to: .milliseconds(30_000))  // let queued PUB messages drain
        while !shared.receiverReady.load(ordering: .acquiring) { usleep(100) }
        orDie("zmq_connect") { () throws(ZMQError) in try socket.connect(config.endpoint) }

        // PUSH delivers the first sync; PUB may drop until the subscription has propagated,
        // so repeat every 1 ms until the receiver has seen one.
        repeat {
            orDie("zmq_send(sync)") { () throws(ZMQError) in try socket.send(syncMessage) }
            usleep(1000)
        } while !shared.syncSeen.load(ordering: .acquiring)

        let eventBytes = config.eventBytes, batch = config.batch
        let packsSequence = eventBytes >= 16
        // One event template (topic, then 'x'), and one reused message buffer.
        let event = UnsafeMutableRawBufferPointer.allocate(byteCount: eventBytes, alignment: 8)
        defer { event.deallocate() }
        event.initializeMemory(as: UInt8.self, repeating: UInt8(ascii: "x"))
        let topic = Array(config.topic.utf8.prefix(eventBytes))
        event.copyBytes(from: topic)
        var message = [UInt8](repeating: 0, count: config.messageBytes)

        let messages = config.events / batch
        shared.t0.store(monotonicNanoseconds(), ordering: .releasing)
        for index in 0..<messages {
            // Pack `batch` events, each a fresh copy with its sequence number.
            message.withUnsafeMutableBytes { out in
                for slot in 0..<batch {
                    if packsSequence {
                        event.storeBytes(of: UInt64(index * batch + slot), toByteOffset: 8, as: UInt64.self)
                    }
                    out.baseAddress!.advanced(by: slot * eventBytes)
                        .copyMemory(from: event.baseAddress!, byteCount: eventBytes)
                }
            }
            do { try socket.send(message) } catch { die("zmq_send", error) }
        }
        // Keep the socket open until the receiver has everything (see the header).
        while !shared.receiverDone.load(ordering: .acquiring) { usleep(1000) }
        socket.close()
    }

    /// Runs a setup step; on failure prints `zmq-throughput: <what>: <error>` and exits 1.
    static func orDie<T>(_ what: String, _ body: () throws(ZMQError) -> T) -> T {
        do { return try body() } catch { die(what, error) }
    }

    static func die(_ what: String, _ error: ZMQError) -> Never {
        printError("zmq-throughput: \(what): \(error.message)\n")
        exit(1)
    }

    static func monotonicNanoseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }

    /// 0 + 1 + … + (n - 1), wrapping like the receiver's sum.
    static func sumOfSequenceNumbers(_ n: Int) -> UInt64 {
        let n = UInt64(n)
        return n % 2 == 0 ? (n / 2) &* (n &- 1) : n &* ((n &- 1) / 2)
    }

    /// `value` printed like C's `%.<decimals>f`.
    static func fixed(_ value: Double, _ decimals: Int32) -> String {
        var text = [CChar](repeating: 0, count: 64)
        let count = withVaList([decimals, value]) { vsnprintf(&text, text.count, "%.*f", $0) }
        return String(decoding: text.prefix(Int(max(0, min(count, 63)))).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

func usage() -> Never {
    printError("""
        usage: zmq-throughput [--pattern pushpull|pubsub] [--endpoint EP] [--events N]
                              [--event-bytes B] [--batch K] [--topic PREFIX] [--hwm N]
                              [--timeout-ms MS]

        """)
    exit(2)
}

/// Writes to standard error (fd 2; C's `stderr` global is not concurrency-safe in Swift 6).
func printError(_ text: String) {
    var text = text
    text.withUTF8 { bytes in _ = write(2, bytes.baseAddress, bytes.count) }
}
