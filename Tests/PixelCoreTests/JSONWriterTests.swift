import Foundation
import PixelCore
import Testing

@Suite struct JSONWriterTests {
    @Test func writesWhatJSONSerializationReadsBack() throws {
        var json = JSONWriter()
        json.beginObject()
        json.member("zero", 0)
        json.member("nine", 9)
        json.member("big", UInt64.max)
        json.member("negative", Int64.min)
        json.member("text", "quote \" backslash \\ newline \n tab \t")
        json.member("none", nil as String?)
        json.member("rate", 0.25)
        json.member("nan", Double.nan)
        json.beginObject("nested")
        json.member("flag", true)
        json.endObject()
        json.endObject()
        #expect(String(decoding: json.bytes, as: UTF8.self).hasPrefix(#"{"zero":0,"nine":9,"big":18446744073709551615,"negative":-9223372036854775808,"#))
        let object = try #require(JSONSerialization.jsonObject(with: Data(json.bytes)) as? [String: Any])
        #expect(object["text"] as? String == "quote \" backslash \\ newline \n tab \t")
        #expect(object["none"] is NSNull)
        #expect(object["nan"] is NSNull)
        #expect(object["rate"] as? Double == 0.25)
        #expect((object["nested"] as? [String: Any])?["flag"] as? Bool == true)
    }
}
