// The `--new-keys N` mode of ingest-load: what it costs the aggregator to meet new keys.
//
// * Key i (0 ..< N) is pixel `pixel-<i, 7 digits>` of campaign `campaign-<i mod C, 4 digits>`
//   (C = `--campaigns`): with C = 1 every key lands in one campaign, as a campaign with a pixel
//   per email or per placement does; with C = 1000 they spread round-robin. A campaign's rollup
//   key is made with its first pixel, so the aggregator holds N + C keys at the end.
// * Batch b holds keys b * `--batch` ..< (b + 1) * `--batch`, one view each (with a visitor
//   hash and a device class), all stamped "now": every event of every batch makes a new key.
// * The frames are encoded before the clock starts; before each send its sequence number and
//   base time are patched in place. One batch at a time: each is acked before the next is
//   sent (`--window` does not apply), so a slice's time is the aggregator's time for its keys
//   plus one round trip per batch.
//
// Output: a line per `--slice` keys (10 240 by default), then a summary line:
//   slice=<n> keys=<keys so far> secs=<the slice's time> keys_per_s=<the slice's keys / secs>
//   new_keys=102400 campaigns=1 batches=400 accepted=400 duplicate=0 rejected=0 invalid=0
//   unexpected_seq=0 secs=<all> keys_per_s=<all keys / secs> next_sequence=401
// Exit status 1 on a socket error, 3 when an ack timed out, 4 when any ack was not `accepted`
// or did not name the batch just sent.

import PixelCore
import ZeroMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

enum NewKeys {
    static func run(_ config: Configuration) {
        let encoded = encodeFrames(config)
        var frames = encoded.frames
        let (sequenceOffset, baseTimeOffset) = (encoded.sequenceOffset, encoded.baseTimeOffset)
        let (context, dealer) = connectDealer(config)
        var sequence = config.firstSequence
        var accepted = 0, duplicate = 0, rejected = 0, invalid = 0, unexpected = 0
        var ack: [UInt8] = []
        ack.reserveCapacity(64)
        let batchesPerSlice = config.slice / config.batch

        let t0 = monotonicNanoseconds()
        var sliceStart = t0
        for index in frames.indices {
            let now = wallMilliseconds()
            let seq = sequence
            frames[index].withUnsafeMutableBytes { raw in
                raw.storeBytes(of: seq.littleEndian, toByteOffset: sequenceOffset, as: UInt64.self)
                raw.storeBytes(of: now.littleEndian, toByteOffset: baseTimeOffset, as: Int64.self)
            }
            do { try dealer.send(frames[index]) } catch { die("send", error) }
            sequence += 1
            while true {
                do {
                    try dealer.receive(into: &ack)
                } catch {
                    printError("ingest-load: no ack within \(config.timeoutMilliseconds) ms (\(error)); "
                        + "sent=\(index + 1) acks=\(index)\n")
                    exit(3)
                }
                if !ack.isEmpty { break }  // an envelope delimiter, if a proxy adds one
            }
            if let decoded = IngestAck(decoding: ack) {
                switch decoded.status {
                case .accepted: accepted += 1
                case .duplicate: duplicate += 1
                case .rejected: rejected += 1
                }
                if decoded.sequence != seq { unexpected += 1 }
            } else {
                invalid += 1
            }
            let batches = index + 1
            if batches % batchesPerSlice == 0 || batches == frames.count {
                let end = monotonicNanoseconds()
                let keys = batches * config.batch
                let sliceKeys = keys - (batches - 1) / batchesPerSlice * config.slice
                let seconds = Double(end - sliceStart) / 1e9
                print("slice=\((batches - 1) / batchesPerSlice + 1) keys=\(keys) secs=\(fixed(seconds, 4)) "
                    + "keys_per_s=\(fixed(Double(sliceKeys) / seconds, 0))")
                sliceStart = end
            }
        }
        let seconds = Double(monotonicNanoseconds() - t0) / 1e9
        print("new_keys=\(config.newKeys) campaigns=\(config.campaigns) batches=\(frames.count) accepted=\(accepted) "
            + "duplicate=\(duplicate) rejected=\(rejected) invalid=\(invalid) unexpected_seq=\(unexpected) "
            + "secs=\(fixed(seconds, 4)) keys_per_s=\(fixed(Double(config.newKeys) / seconds, 0)) next_sequence=\(sequence)")
        dealer.close()
        context.shutdown()
        if accepted != frames.count || unexpected != 0 { exit(4) }
    }

    /// Every batch, encoded, and where to patch its sequence number and its base time.
    static func encodeFrames(_ config: Configuration) -> (frames: [[UInt8]], sequenceOffset: Int, baseTimeOffset: Int) {
        let collector = CollectorID(unchecked: config.collectorID)
        let campaigns = (0..<config.campaigns).map { CampaignID(unchecked: "campaign-\(pad($0, 4))") }
        let devices: [DeviceClass] = [.desktop, .mobile, .mobile, .tablet, .mail]
        var random = SplitMix64(state: 7)
        let time = wallMilliseconds()
        var frames: [[UInt8]] = []
        frames.reserveCapacity(config.newKeys / config.batch)
        var batch = EventBatch(collector: collector, sequence: 0)
        for start in stride(from: 0, to: config.newKeys, by: config.batch) {
            batch.removeAll(nextSequence: 0)
            for key in start..<(start + config.batch) {
                batch.append(HitEvent(
                    time: time, kind: .view, campaign: campaigns[key % config.campaigns],
                    pixel: PixelID(unchecked: "pixel-\(pad(key, 7))"), visitor: random.next(),
                    device: devices[key % devices.count]))
            }
            frames.append(batch.encoded())
        }
        // magic (4), version (1), flags (1), collector length (1), collector id, sequence (8), base time (8)
        let sequenceOffset = 7 + config.collectorID.utf8.count
        let baseTimeOffset = sequenceOffset + 8
        precondition(frames[0].withUnsafeBytes { $0.loadUnaligned(fromByteOffset: baseTimeOffset, as: Int64.self) }
            == time.littleEndian, "unexpected batch layout")
        return (frames, sequenceOffset, baseTimeOffset)
    }
}
