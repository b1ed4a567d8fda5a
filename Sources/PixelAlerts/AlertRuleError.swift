/// Why alert rules were refused: where (file and line, when they come from a file), which
/// rule and field, and what is wrong.
public struct AlertRuleError: Error, Sendable, Hashable, CustomStringConvertible {
    public var file: String?
    /// 1-based.
    public var line: Int?
    /// The rule's name, when known.
    public var rule: String?
    public var field: String?
    public var message: String
    /// The rule's position in the list, so a file loader can point at its line.
    var index: Int?

    public init(file: String? = nil, line: Int? = nil, rule: String? = nil, field: String? = nil, _ message: String) {
        self.file = file
        self.line = line
        self.rule = rule
        self.field = field
        self.message = message
    }

    /// `alerts.yaml:12: rule "traffic-drop", field "below": must be a number in 0…1`.
    public var description: String {
        var place = [file, line.map(String.init)].compactMap { $0 }.joined(separator: ":")
        if !place.isEmpty { place += ": " }
        let subject = [rule.map { "rule \"\($0)\"" }, field.map { "field \"\($0)\"" }].compactMap { $0 }.joined(separator: ", ")
        return place + (subject.isEmpty ? "" : subject + ": ") + message
    }
}
