// libFuzzer target: the collector's pixel-request parser (path and query of /p/…), on
// arbitrary request targets. Built and run by fuzz.sh, compiled together with
// Sources/PixelCollector/HTTP/{HitRequest,PercentDecoding,RejectReason}.swift.
//
// Properties checked on every input, besides not crashing: whatever is accepted has ids
// that pass PixelCore's own validation, a value only on conversions and within the
// maximum, and parses the same way twice.
import PixelCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHitRequest(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let target = String(decoding: UnsafeRawBufferPointer(start: start, count: count), as: UTF8.self)
    for style in [HitRequest.Style.image, .beacon] {
        let parsed = HitRequest.parse(target: target, style: style)
        precondition(parsed == HitRequest.parse(target: target, style: style), "parsing is not deterministic")
        guard case .hit(let hit) = parsed else { continue }
        precondition((try? CampaignID(validating: hit.campaign.rawValue)) != nil, "accepted an invalid campaign id")
        precondition((try? PixelID(validating: hit.pixel.rawValue)) != nil, "accepted an invalid pixel id")
        if let value = hit.value {
            precondition(hit.kind == .conversion && value <= HitEvent.maxValue, "value on a non-conversion or too large")
        }
    }
    return 0
}

@_cdecl("LLVMFuzzerInitialize")
public func seedHitCorpus(_ argc: UnsafeMutablePointer<CInt>?, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?) -> CInt {
    0
}
