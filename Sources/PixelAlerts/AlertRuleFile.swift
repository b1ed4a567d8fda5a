import Foundation
public import PixelCore
import Yams

/// Alert rules read from a YAML file (JSON is YAML too):
///
/// ```yaml
/// rules:
///   - name: hero-drop            # unique; names the alert
///     kind: drop                 # drop | silence | cvr-drop
///     campaign: spring-sale      # optional: one campaign (default: every campaign)
///     pixel: hero                # optional: one pixel (default: every pixel)
///     scope: pixels              # pixels | campaigns | all (rollups, pixels or both)
///     metric: views              # views | clicks | conversions | events
///     window: 5m                 # one of the aggregator's windows
///     baseline: 1h               # a longer window: the baseline is its earlier part
///     baseline_from: recent      # recent | yesterday | last-week | seasonal (campaigns only)
///     below: 0.5                 # fires below this fraction of the baseline
///     recover: 0.8               # resolves at or above this fraction
///     min_volume: 20             # the baseline must predict this many events in the window
///     for: 2m                    # the condition must hold this long to fire
///     cooldown: 5m               # recovery must hold this long to resolve
///     severity: warning          # a label for receivers
/// ```
///
/// A field left out takes the value of the built-in rule of the same kind
/// (``AlertRule/defaults(for:)``), so `name` and `kind` are enough. Any mistake — a syntax
/// error, an unknown field, a value out of range, a window the aggregator does not keep —
/// refuses the whole file with an ``AlertRuleError`` naming the line and the field.
public struct AlertRuleFile: Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    /// Reads and checks the rules for an aggregator keeping `windows`.
    public func load(windows: WindowConfiguration) throws(AlertRuleError) -> [AlertRule] {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw AlertRuleError(file: path, "cannot read the file: \(error.localizedDescription)")
        }
        return try Self.parse(text, file: path, windows: windows)
    }

    /// Parses rules from YAML `text`; `file` names it in errors.
    public static func parse(_ text: String, file: String, windows: WindowConfiguration) throws(AlertRuleError) -> [AlertRule] {
        var parser = RuleParser(file: file, windows: windows)
        return try parser.parse(text)
    }

    /// The milliseconds of a duration as the rule files write them: `0`, or a whole number
    /// of `ms`, `s`, `m` or `h` (`90s`, `5m`, `48h`); `nil` for anything else.
    public static func duration(_ text: String) -> Int64? {
        if text == "0" { return 0 }
        for (suffix, scale) in [("ms", Int64(1)), ("s", 1000), ("m", 60_000), ("h", 3_600_000)] where text.hasSuffix(suffix) {
            if let number = Int64(text.dropLast(suffix.count)), number >= 0 { return number * scale }
        }
        return nil
    }
}

/// Walks the YAML tree, keeping each node's line for the error messages.
private struct RuleParser {
    let file: String
    let windows: WindowConfiguration
    /// The line of each rule, and of each of its fields, for errors found after parsing.
    var lines: [(rule: Int, fields: [String: Int])] = []

    static let fields: Set<String> = [
        "name", "kind", "campaign", "pixel", "scope", "metric", "window", "baseline", "baseline_from", "below", "recover",
        "min_volume", "for", "cooldown", "severity",
    ]

    init(file: String, windows: WindowConfiguration) {
        self.file = file
        self.windows = windows
    }

    mutating func parse(_ text: String) throws(AlertRuleError) -> [AlertRule] {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw syntaxError(error)
        } catch {
            throw AlertRuleError(file: file, "\(error)")
        }
        guard let root, let top = root.mapping else {
            throw AlertRuleError(file: file, line: root?.mark?.line ?? 1, "expected a mapping with a \"rules\" list")
        }
        for (key, _) in top where key.string != "rules" {
            throw AlertRuleError(file: file, line: key.mark?.line, field: key.string, "unknown top-level field; expected \"rules\"")
        }
        guard let list = top["rules"] else { throw AlertRuleError(file: file, line: root.mark?.line, field: "rules", "missing") }
        guard let items = list.sequence else { throw AlertRuleError(file: file, line: list.mark?.line, field: "rules", "expected a list") }
        let rules = try items.map { item throws(AlertRuleError) in try rule(item) }
        do {
            _ = try AlertEngine(windows: windows.windows, rules: rules)
        } catch var error {
            error.file = file
            if let index = error.index {
                error.line = error.field.flatMap { lines[index].fields[$0] } ?? lines[index].rule
            }
            throw error
        }
        return rules
    }

    private mutating func rule(_ node: Node) throws(AlertRuleError) -> AlertRule {
        // Until its name is read, a rule is known by its line.
        guard let mapping = node.mapping else {
            throw AlertRuleError(file: file, line: node.mark?.line, "expected a rule: a mapping of fields")
        }
        var ordered: [(String, Node)] = []
        var fieldLines: [String: Int] = [:]
        for (key, value) in mapping {
            guard let name = key.string, Self.fields.contains(name) else {
                throw AlertRuleError(file: file, line: key.mark?.line, field: key.string,
                                     "unknown field; expected one of \(Self.fields.sorted().joined(separator: ", "))")
            }
            ordered.append((name, value))
            fieldLines[name] = value.mark?.line
        }
        lines.append((node.mark?.line ?? 0, fieldLines))
        let values = Dictionary(ordered) { $1 }
        let name = try scalar(values["name"], field: "name", rule: nil, line: node.mark?.line)
        let location = (rule: name, line: node.mark?.line)
        func fail(_ field: String, _ message: String) -> AlertRuleError {
            AlertRuleError(file: file, line: fieldLines[field] ?? location.line, rule: location.rule, field: field, message)
        }
        let kindText = try scalar(values["kind"], field: "kind", rule: name, line: node.mark?.line)
        guard let kind = AlertRule.Kind(rawValue: kindText) else {
            throw fail("kind", "\"\(kindText)\" is not one of \(AlertRule.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard var rule = AlertRule.defaults(for: windows).first(where: { $0.kind == kind }) else {
            throw fail("kind", "alerts need at least two windows")
        }
        rule.name = name
        for (field, node) in ordered {
            guard let text = node.scalar?.string else { throw fail(field, "expected a single value") }
            switch field {
            case "campaign":
                do { rule.campaign = try CampaignID(validating: text) } catch { throw fail(field, "\(error)") }
            case "pixel":
                do { rule.pixel = try PixelID(validating: text) } catch { throw fail(field, "\(error)") }
            case "scope":
                guard let scope = AlertRule.Scope(rawValue: text) else {
                    throw fail(field, "\"\(text)\" is not one of \(AlertRule.Scope.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                rule.scope = scope
            case "metric":
                guard let metric = AlertRule.Metric(rawValue: text) else {
                    throw fail(field, "\"\(text)\" is not one of \(AlertRule.Metric.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                rule.metric = metric
            case "baseline_from":
                guard let source = AlertRule.BaselineSource(rawValue: text) else {
                    let sources = AlertRule.BaselineSource.allCases.map(\.rawValue).joined(separator: ", ")
                    throw fail(field, "\"\(text)\" is not one of \(sources)")
                }
                rule.baselineFrom = source
            case "window", "baseline":
                guard let length = AlertRuleFile.duration(text), let window = windows.windows.first(where: { $0.length == length }) else {
                    throw fail(field, "\(text) is not one of the windows kept (\(windows.windows.map(\.name).joined(separator: ", ")))")
                }
                if field == "window" { rule.window = window } else { rule.baseline = window }
            case "below", "recover", "min_volume":
                guard let number = Double(text), number.isFinite, number >= 0 else {
                    throw fail(field, "\"\(text)\" is not a number ≥ 0")
                }
                if field == "below" {
                    guard kind != .silence else { throw fail(field, "a silence fires at zero; it takes no threshold") }
                    rule.below = number
                } else if field == "recover" {
                    rule.recover = number
                } else {
                    rule.minVolume = number
                }
            case "for", "cooldown":
                guard let milliseconds = AlertRuleFile.duration(text) else {
                    throw fail(field, "\"\(text)\" is not a duration such as 0, 90s, 5m or 1h")
                }
                if field == "for" { rule.holdFor = milliseconds } else { rule.cooldown = milliseconds }
            case "severity":
                rule.severity = text
            default:
                break  // name and kind, read above
            }
        }
        if rule.pixel != nil, values["scope"] == nil { rule.scope = .pixels }
        // The hourly history is kept per campaign.
        if rule.baselineFrom != .recent, values["scope"] == nil { rule.scope = .campaigns }
        return rule
    }

    private func scalar(_ node: Node?, field: String, rule: String?, line: Int?) throws(AlertRuleError) -> String {
        guard let node else { throw AlertRuleError(file: file, line: line, rule: rule, field: field, "missing") }
        guard let text = node.scalar?.string, !text.isEmpty else {
            throw AlertRuleError(file: file, line: node.mark?.line, rule: rule, field: field, "expected a non-empty value")
        }
        return text
    }

    private func syntaxError(_ error: YamlError) -> AlertRuleError {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            AlertRuleError(file: file, line: mark.line, "YAML syntax: \(problem)")
        default:
            AlertRuleError(file: file, "YAML: \(error)")
        }
    }
}
