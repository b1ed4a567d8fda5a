/// One conversion as a backend or an affiliate network reported it, before it is checked:
/// the fields of a JSON item of `POST /v1/conversions`, or the query of `GET /v1/postback`.
///
/// Fields are kept as they came (text, an integer, or something else), so that
/// ``ConversionRules`` can say exactly what is wrong with each.
struct ConversionItem: Equatable, Sendable {
    /// A field's value, as far as its type goes.
    enum Field: Equatable, Sendable {
        case text(String)
        case integer(Int64)
        /// A fraction, a boolean, `null`, an array or an object.
        case other
    }

    /// The fields by name; names not in ``names`` are not kept.
    var fields: [String: Field] = [:]
    /// Whether the item was a JSON object (a postback's query always is one).
    var isObject = true

    /// The fields read; anything else in an item is ignored.
    static let names: Set<String> = ["click_id", "campaign", "pixel", "event_id", "value", "currency", "time"]

    subscript(name: String) -> Field? { fields[name] }
}

extension ConversionItem: Decodable {
    private struct Name: CodingKey {
        let stringValue: String
        init?(stringValue: String) { self.stringValue = stringValue }
        var intValue: Int? { nil }
        init?(intValue: Int) { nil }
    }

    /// Never throws for the item's own content: a non-object, or a field of the wrong type,
    /// is kept as such and refused by ``ConversionRules`` with the reason.
    init(from decoder: any Decoder) throws {
        guard let container = try? decoder.container(keyedBy: Name.self) else {
            isObject = false
            return
        }
        for key in container.allKeys where Self.names.contains(key.stringValue) {
            if let text = try? container.decode(String.self, forKey: key) {
                fields[key.stringValue] = .text(text)
            } else if let integer = try? container.decode(Int64.self, forKey: key) {
                fields[key.stringValue] = .integer(integer)
            } else {
                fields[key.stringValue] = .other
            }
        }
    }
}
