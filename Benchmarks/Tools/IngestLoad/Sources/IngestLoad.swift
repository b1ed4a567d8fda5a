// ingest-load: drives an aggregator's ingest ROUTER the way a busy collector would, and
// measures how many events per second it counts.
//
// * One DEALER socket connects to `--endpoint` and sends pre-encoded `EventBatch` frames
//   (`--batch` events each, 256 by default), keeping at most `--window` batches unacknowledged
//   (64 by default); every `IngestAck` is read and checked (status accepted, sequence known).
// * Traffic: `--campaigns` x `--pixels` keys (1000 x 100 = 100 000 by default), visited in a
//   fixed scattered order (key = i * 61803 mod keys, a permutation: the stride is keys / golden
//   ratio, made coprime with keys), so each batch holds 256 different keys from ~255 campaigns
//   (the costly case: ~356 names per batch) and every key is hit once per `keys` events and
//   stays active. Kinds: ~95 % views, ~4 % clicks, ~1 % conversions with a value of
//   5.00-200.00; every event carries a visitor hash and a device class, as a collector's
//   would; no event ids (the frames are re-sent cyclically, so ids would turn into
//   duplicates). `--order sequential` visits keys in order instead (~103 names per batch:
//   the cheap case for the aggregator).
// * The frames are encoded once, before the clock starts (lcm(batch, keys) / batch of them,
//   3125 for the defaults). Before each send the batch's sequence number (unique, increasing)
//   and base time (now, ms since the epoch) are patched in place; every event's offset from
//   the base time is 0, so all events are stamped "now".
// * Stops after `--events` events (20 000 000 by default, rounded down to whole batches) or
//   after `--duration-s` seconds when given. t0 = first send, t1 = last ack.
//
// Output: one line of key=value pairs, e.g. (aggregator at 51a5978, 2 cores, --duration-s 10)
//   events=4993280 batches=19505 acks=19505 accepted=19505 duplicate=0 rejected=0 invalid=0
//   unexpected_seq=0 keys=100000 batch_bytes_mean=8985.9 event_bytes_mean=35.1 secs=10.1379
//   events_per_s=492537 batches_per_s=1924 next_sequence=19506
// Exit status 1 on a socket error, 3 when an ack timed out (`--timeout-ms`, 10 000), 4 when any
// ack was not `accepted`.
//
// Usage: ingest-load [--endpoint tcp://127.0.0.1:5570] [--events 20000000] [--duration-s S]
//                    [--batch 256] [--window 64] [--campaigns 1000] [--pixels 100]
//                    [--order scattered|sequential] [--collector-id ingest-load]
//                    [--first-sequence 1] [--timeout-ms 10000] [--describe]
// `--describe` prints the traffic's sizes (batch_bytes_mean, event_bytes_mean) and exits
// without connecting.
//
// `--new-keys N` sends N brand-new pixel keys instead, one batch at a time, each acked before
// the next, and times every `--slice` keys (see NewKeys.swift; scripts/new_keys.sh runs it):
//   ingest-load --new-keys 102400 [--slice 10240] [--campaigns 1] [--batch 256] ...

import PixelCore
import ZeroMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

struct Configuration {
    var endpoint = "tcp://127.0.0.1:5570"
    var events = 20_000_000
    var durationSeconds: Double?
    var batch = 256
    var window = 64
    var campaigns = 1000
    var pixels = 100
    var scattered = true
    var collectorID = "ingest-load"
    var firstSequence: UInt64 = 1
    var timeoutMilliseconds = 10_000
    var describe = false
    /// `--new-keys`: how many brand-new pixel keys to send (0: the cyclic traffic above).
    var newKeys = 0
    /// `--slice`: with `--new-keys`, the keys timed together.
    var slice = 10_240

    var keys: Int { campaigns * pixels }

    init(arguments: [String]) {
        var index = 0
        while index < arguments.count {
            if arguments[index] == "--describe" {
                describe = true
                index += 1
                continue
            }
            guard index + 1 < arguments.count else { usage() }
            let value = arguments[index + 1]
            switch arguments[index] {
            case "--endpoint": endpoint = value
            case "--events": events = Self.integer(value)
            case "--duration-s":
                guard let seconds = Double(value), seconds > 0 else { usage() }
                durationSeconds = seconds
            case "--batch": batch = Self.integer(value)
            case "--window": window = Self.integer(value)
            case "--campaigns": campaigns = Self.integer(value)
            case "--pixels": pixels = Self.integer(value)
            case "--order":
                guard value == "scattered" || value == "sequential" else { usage() }
                scattered = value == "scattered"
            case "--collector-id": collectorID = value
            case "--first-sequence":
                guard let first = UInt64(value) else { usage() }
                firstSequence = first
            case "--timeout-ms": timeoutMilliseconds = Self.integer(value)
            case "--new-keys": newKeys = Self.integer(value)
            case "--slice": slice = Self.integer(value)
            default: usage()
            }
            index += 2
        }
        guard (1...EventBatch.maxEvents).contains(batch), window >= 1, campaigns >= 1, pixels >= 1,
              campaigns <= 99_999, pixels <= 999, CollectorID(rawValue: collectorID) != nil else { usage() }
        if durationSeconds == nil {
            guard events >= batch else { usage() }
            events -= events % batch
        }
        if newKeys > 0 {
            guard newKeys >= batch, newKeys <= 9_999_999, slice >= batch, slice % batch == 0 else { usage() }
            newKeys -= newKeys % batch
        }
    }

    private static func integer(_ text: String) -> Int {
        guard let value = Int(text), value >= 0 else { usage() }
        return value
    }
}

func usage() -> Never {
    printError("""
        usage: ingest-load [--endpoint tcp://127.0.0.1:5570] [--events 20000000] [--duration-s S]
                           [--batch 256] [--window 64] [--campaigns 1000] [--pixels 100]
                           [--order scattered|sequential] [--collector-id ingest-load]
                           [--first-sequence 1] [--timeout-ms 10000] [--describe]
               ingest-load --new-keys N [--slice 10240] [--campaigns 1000] [--batch 256]
                           [--endpoint E] [--collector-id ID] [--first-sequence 1] [--timeout-ms 10000]

        """)
    exit(2)
}

/// Writes to standard error (the C `stderr` global is not concurrency-safe in Swift 6).
func printError(_ text: String) {
    var text = text
    text.withUTF8 { bytes in _ = write(2, bytes.baseAddress, bytes.count) }
}

func die(_ what: String, _ error: some Error, status: Int32 = 1) -> Never {
    printError("ingest-load: \(what): \(error)\n")
    exit(status)
}

func monotonicNanoseconds() -> UInt64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
}

func wallMilliseconds() -> Int64 {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
}

func fixed(_ value: Double, _ digits: Int) -> String {
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let rounded = (value * scale).rounded() / scale
    if digits == 0 { return String(Int64(rounded)) }
    return String(rounded)
}

func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }

/// A small deterministic generator (SplitMix64), so every run sends the same traffic.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}

/// The pre-encoded frames, with where to patch the sequence and the base time.
struct Traffic {
    var frames: [[UInt8]]
    var sequenceOffset: Int
    var baseTimeOffset: Int
    var totalBytes: Int

    init(_ config: Configuration) {
        let keys = config.keys
        let frameCount = keys / gcd(keys, config.batch)  // lcm(batch, keys) / batch
        // A stride coprime with `keys` walks every key once per `keys` events.
        var stride = 1
        if config.scattered {
            // Golden-ratio stride: consecutive events land far apart (three-distance theorem).
            stride = max(1, Int(Double(keys) * 0.618_033_988_7))
            while gcd(stride, keys) != 1 { stride += 1 }
        }
        let campaignNames = (0..<config.campaigns).map { CampaignID(unchecked: "campaign-\(pad($0, 4))") }
        let pixelNames = (0..<config.pixels).map { PixelID(unchecked: "pixel-\(pad($0, 3))") }
        let collector = CollectorID(unchecked: config.collectorID)
        let devices: [DeviceClass] = [.desktop, .desktop, .mobile, .mobile, .mobile, .tablet, .unknown, .mail]
        var random = SplitMix64(state: 42)
        let time = wallMilliseconds()
        frames = []
        frames.reserveCapacity(frameCount)
        totalBytes = 0
        var counter = 0
        for _ in 0..<frameCount {
            var batch = EventBatch(collector: collector, sequence: 0)
            for _ in 0..<config.batch {
                let key = (counter % keys) * stride % keys
                counter += 1
                let roll = random.next() % 1000
                let kind: EventKind = roll < 950 ? .view : roll < 990 ? .click : .conversion
                batch.append(HitEvent(
                    time: time, kind: kind,
                    campaign: campaignNames[key / config.pixels], pixel: pixelNames[key % config.pixels],
                    value: kind == .conversion ? 500 + random.next() % 19_501 : nil,
                    visitor: random.next(),
                    device: devices[Int(random.next() % UInt64(devices.count))]))
            }
            let bytes = batch.encoded()
            totalBytes += bytes.count
            frames.append(bytes)
        }
        // magic (4), version (1), flags (1), collector length (1), collector id, sequence (8), base time (8)
        sequenceOffset = 7 + config.collectorID.utf8.count
        baseTimeOffset = sequenceOffset + 8
        for frame in frames {
            precondition(frame.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: baseTimeOffset, as: Int64.self) }
                == Int64(time).littleEndian, "unexpected batch layout")
        }
    }

    var meanBatchBytes: Double { Double(totalBytes) / Double(frames.count) }
}

/// A DEALER connected to `--endpoint`, with LINGER 0 and the `--timeout-ms` receive timeout.
func connectDealer(_ config: Configuration) -> (Context, Socket) {
    do {
        let context = try Context()
        let dealer = try context.socket(.dealer)
        try dealer.set(.linger, to: .zero)
        try dealer.set(.receiveTimeout, to: .milliseconds(config.timeoutMilliseconds))
        try dealer.connect(config.endpoint)
        return (context, dealer)
    } catch {
        die("setup", error)
    }
}

func pad(_ value: Int, _ width: Int) -> String {
    let text = String(value)
    return String(repeating: "0", count: max(0, width - text.count)) + text
}

@main
enum IngestLoad {
    static func main() {
        let config = Configuration(arguments: Array(CommandLine.arguments.dropFirst()))
        if config.newKeys > 0 { return NewKeys.run(config) }
        var traffic = Traffic(config)
        let meanBatch = traffic.meanBatchBytes
        if config.describe {
            print("keys=\(config.keys) batch=\(config.batch) frames=\(traffic.frames.count) "
                + "batch_bytes_mean=\(fixed(meanBatch, 1)) event_bytes_mean=\(fixed(meanBatch / Double(config.batch), 1))")
            return
        }

        let (context, dealer) = connectDealer(config)

        let batchLimit = config.durationSeconds == nil ? config.events / config.batch : Int.max
        let deadline: UInt64? = config.durationSeconds.map { UInt64($0 * 1e9) }
        var sequence = config.firstSequence
        var sent = 0, acks = 0, accepted = 0, duplicate = 0, rejected = 0, invalid = 0, unexpected = 0
        var ack: [UInt8] = []
        ack.reserveCapacity(64)
        var frameIndex = 0
        var stopSending = false

        let t0 = monotonicNanoseconds()
        while true {
            // Fill the window.
            while !stopSending, sent - acks < config.window, sent < batchLimit {
                let now = wallMilliseconds()
                let seq = sequence
                traffic.frames[frameIndex].withUnsafeMutableBytes { raw in
                    raw.storeBytes(of: seq.littleEndian, toByteOffset: traffic.sequenceOffset, as: UInt64.self)
                    raw.storeBytes(of: now.littleEndian, toByteOffset: traffic.baseTimeOffset, as: Int64.self)
                }
                do { try dealer.send(traffic.frames[frameIndex]) } catch { die("send", error) }
                sequence += 1
                sent += 1
                frameIndex += 1
                if frameIndex == traffic.frames.count { frameIndex = 0 }
            }
            if sent == acks { break }
            do {
                try dealer.receive(into: &ack)
            } catch {
                printError("ingest-load: no ack within \(config.timeoutMilliseconds) ms (\(error)); "
                    + "sent=\(sent) acks=\(acks)\n")
                exit(3)
            }
            if ack.isEmpty { continue }  // an envelope delimiter, if a proxy adds one
            guard let decoded = IngestAck(decoding: ack) else {
                invalid += 1
                acks += 1
                continue
            }
            acks += 1
            switch decoded.status {
            case .accepted: accepted += 1
            case .duplicate: duplicate += 1
            case .rejected: rejected += 1
            }
            if decoded.sequence < config.firstSequence || decoded.sequence >= sequence { unexpected += 1 }
            if let deadline, !stopSending, monotonicNanoseconds() - t0 >= deadline { stopSending = true }
        }
        let t1 = monotonicNanoseconds()
        let seconds = Double(t1 - t0) / 1e9
        let events = sent * config.batch
        print("events=\(events) batches=\(sent) acks=\(acks) accepted=\(accepted) duplicate=\(duplicate) "
            + "rejected=\(rejected) invalid=\(invalid) unexpected_seq=\(unexpected) keys=\(config.keys) "
            + "batch_bytes_mean=\(fixed(meanBatch, 1)) event_bytes_mean=\(fixed(meanBatch / Double(config.batch), 1)) "
            + "secs=\(fixed(seconds, 4)) events_per_s=\(fixed(Double(events) / seconds, 0)) "
            + "batches_per_s=\(fixed(Double(sent) / seconds, 0)) next_sequence=\(sequence)")
        dealer.close()
        context.shutdown()
        if accepted != sent || unexpected != 0 { exit(4) }
    }
}
