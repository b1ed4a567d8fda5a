import Foundation
import PixelSupport
import Testing

@Suite struct SegmentLogTests {
    static let framing = RecordFraming(prefixBytes: 2, payloadLengths: 1...100)

    static func record(_ prefix: [UInt8], _ payload: [UInt8]) -> [UInt8] {
        var buffer: [UInt8] = []
        framing.append(to: &buffer) { $0 += prefix + payload }
        return buffer
    }

    @Test func aRecordIsLengthChecksumPrefixPayload() throws {
        let bytes = Self.record([7, 8], [1, 2, 3])
        #expect(bytes.count == 8 + 2 + 3)
        #expect(Array(bytes[0..<4]) == [3, 0, 0, 0])
        let crc = CRC32.checksum([7, 8, 1, 2, 3])
        #expect(Array(bytes[4..<8]) == withUnsafeBytes(of: crc.littleEndian) { Array($0) })
        try bytes.withUnsafeBytes { raw in
            guard case .record(let body, let size) = Self.framing.parse(raw) else { throw Failure("not a record") }
            #expect(Array(body) == [7, 8, 1, 2, 3])
            #expect(size == bytes.count)
        }
    }

    @Test func aTornRecordIsIncompleteAndADamagedOneIsDamaged() {
        let whole = Self.record([0, 0], Array(repeating: 9, count: 40))
        for cut in 0..<whole.count {
            let parsed = Array(whole[..<cut]).withUnsafeBytes { Self.framing.parse($0) }
            guard case .incomplete = parsed else { Issue.record("cut at \(cut): \(parsed)"); continue }
        }
        for index in 4..<whole.count {  // the checksum and everything it covers
            var damaged = whole
            damaged[index] ^= 0x10
            let parsed = damaged.withUnsafeBytes { Self.framing.parse($0) }
            guard case .damaged = parsed else { Issue.record("flip at \(index): \(parsed)"); continue }
        }
        var tooLong = whole
        tooLong[0] = 101
        let parsed = tooLong.withUnsafeBytes { Self.framing.parse($0) }
        guard case .damaged = parsed else { return #expect(Bool(false), "length over the range: \(parsed)") }
    }

    @Test func namesSortInNumberOrderAndParseBack() throws {
        let naming = SegmentNaming(prefix: "spool-", suffix: ".log")
        #expect(naming.name(of: UInt64(1)) == "spool-0000000000000001.log")
        #expect(naming.name(of: Int64(0x18f3a2b1c00)) == "spool-0000018f3a2b1c00.log")
        #expect(naming.number(in: "spool-0000018f3a2b1c00.log", as: Int64.self) == 0x18f3a2b1c00)
        for other in ["spool-1.log", "spool-0000000000000001.tmp", "ingest-0000000000000001.log", "spool-000000000000000g.log"] {
            #expect(naming.number(in: other, as: UInt64.self) == nil, "\(other)")
        }
        let folder = FileManager.default.temporaryDirectory.appending(path: "segment-naming-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for number in [UInt64(300), 2, 17] {
            _ = FileManager.default.createFile(atPath: folder.appending(path: naming.name(of: number)).path, contents: nil)
        }
        _ = FileManager.default.createFile(atPath: folder.appending(path: "notes.txt").path, contents: nil)
        #expect(try naming.numbers(in: folder, as: UInt64.self) == [2, 17, 300])
    }

    @Test func aFailedCallNamesItselfAndItsReason() throws {
        let missing = "/nonexistent-\(UUID().uuidString)/file"
        let error = #expect(throws: SystemCallError.self) { _ = try FileIO.openForAppending(missing) }
        #expect(error?.call == "open \(missing)")
        #expect(error?.errno == ENOENT)
        #expect(error?.description == "open \(missing) failed: No such file or directory (errno \(ENOENT))")
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
