// libFuzzer target: the tracking links' destination validator, on arbitrary bytes (what a
// `to=` value decodes to). Built and run by fuzz.sh, compiled together with
// Sources/PixelCollector/Links/{Destination,DestinationError}.swift and
// Sources/PixelCollector/HTTP/PercentDecoding.swift.
//
// Properties checked on every input, besides not crashing: whatever is accepted is at most
// 2048 bytes of printable ASCII without a backslash, starts with http:// or https:// and its
// origin, has a host that is lower case and its own, and validates again to itself (one
// reading: re-serialising changes nothing more).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDestination(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    guard let destination = try? Destination(validating: bytes) else { return 0 }
    let url = Array(destination.url.utf8)
    precondition(url.count <= Destination.maxLength, "accepted an over-long URL")
    precondition(url.allSatisfy { (0x21...0x7E).contains($0) && $0 != UInt8(ascii: "\\") }, "a byte that could end a header or read as a slash")
    precondition(destination.url.hasPrefix("http://") || destination.url.hasPrefix("https://"), "another scheme")
    precondition(destination.url.hasPrefix(destination.origin), "the origin is not the URL's")
    precondition(destination.origin.hasSuffix(destination.host) || destination.origin.contains(destination.host + ":"), "the host is not the origin's")
    precondition(!destination.host.contains("@") && destination.host == destination.host.lowercased(), "a host with userinfo or capitals")
    let again = try? Destination(validating: url)
    precondition(again == destination, "validating the re-serialised URL gives another destination")
    return 0
}

@_cdecl("LLVMFuzzerInitialize")
public func seedDestinationCorpus(_ argc: UnsafeMutablePointer<CInt>?, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?) -> CInt {
    0
}
