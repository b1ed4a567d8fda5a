// libFuzzer target: the aggregator's ingest decoder (EventBatch wire v1 to v3) and the ack
// decoder (v1 and v2), on arbitrary bytes. Built and run by fuzz.sh.
//
// Properties checked on every input, besides not crashing:
// - a frame that decodes (any version) re-encodes, as the current version, to a frame that
//   decodes to the same batch;
// - an ack that decodes re-encodes to the same bytes;
// - every decoded event satisfies the limits the decoder promises.
#if canImport(Glibc)
import Glibc
#endif
import PixelCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzIngestFrame(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: start, count: count)
    if let ack = IngestAck(decoding: bytes) {
        precondition(ack.encoded().elementsEqual(bytes), "an ack re-encodes to other bytes")
    }
    guard let batch = try? EventBatch.decode(bytes) else { return 0 }
    precondition(batch.events.count <= EventBatch.maxEvents, "more events than a batch may hold")
    for event in batch.events {
        precondition(Int(event.campaign) < batch.names.count && Int(event.pixel) < batch.names.count, "name index out of range")
        precondition(event.value <= HitEvent.maxValue, "value above the maximum")
    }
    let again: EventBatch
    do {
        again = try EventBatch.decode(batch.encoded())
    } catch {
        preconditionFailure("a decoded batch re-encodes to a frame that does not decode: \(error)")
    }
    precondition(again == batch, "re-encoding changed the batch")
    return 0
}

/// Seeds the corpus with valid frames when PIXELPULSE_FUZZ_SEEDS names a folder, so the
/// fuzzer starts from the real format rather than from its magic bytes.
@_cdecl("LLVMFuzzerInitialize")
public func seedIngestCorpus(_ argc: UnsafeMutablePointer<CInt>?, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?) -> CInt {
    guard let folder = getenv("PIXELPULSE_FUZZ_SEEDS").map({ String(cString: $0) }) else { return 0 }
    for seed in 0..<8 {
        var batch = EventBatch(collector: "fuzz-seed", sequence: UInt64(seed), reportsFates: seed % 2 == 1)
        for index in 0..<(seed * 3) {
            let kind = EventKind.allCases[index % EventKind.allCases.count]
            batch.append(HitEvent(
                time: 1_790_000_000_000 + Int64(index), kind: kind, campaign: CampaignID(unchecked: "c\(index % 2)"),
                pixel: PixelID(unchecked: "p\(index % 3)"), value: index % 3 == 2 ? UInt64(index * 100) : 0,
                eventID: index % 4 == 0 ? EventID(text: "id-\(index)") : nil))
        }
        let frame = batch.encoded()
        guard let file = fopen("\(folder)/seed-\(seed)", "wb") else { continue }
        _ = frame.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        fclose(file)
    }
    return 0
}
