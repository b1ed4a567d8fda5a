import Foundation
import PixelCore
import Yams

/// Pixel sets read from a YAML file (`--pixel-sets`):
///
/// ```yaml
/// sets:
///   spring:                              # the name a link gives as px=spring
///     - meta: "1234567890123456"         # one pixel per item: kind, then id or URL
///     - google: "AW-123456789"
///     - tiktok: "C4A1B2C3D4E5F6G7H8I9"
///     - linkedin: "123456"
///     - image: "https://ads.example/px.gif?acct=7"
/// ```
///
/// Any mistake — a syntax error, an unknown field or kind, an id or URL that
/// ``PixelTag`` refuses, a set with no pixels or more than ``PixelSets/maxPixels``, a name
/// given twice — refuses the whole file with a ``PixelSetFileError`` naming the line.
public struct PixelSetFile: Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    /// Reads and checks the sets.
    public func load() throws(PixelSetFileError) -> PixelSets {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw PixelSetFileError(file: path, line: nil, "cannot read the file: \(error.localizedDescription)")
        }
        return try Self.parse(text, file: path)
    }

    /// Parses sets from YAML `text`; `file` names it in errors.
    public static func parse(_ text: String, file: String) throws(PixelSetFileError) -> PixelSets {
        func failure(_ node: Node?, _ message: String) -> PixelSetFileError {
            PixelSetFileError(file: file, line: node?.mark?.line, message)
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            switch error {
            case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
                throw PixelSetFileError(file: file, line: mark.line, "YAML syntax: \(problem)")
            case .duplicatedKeysInMapping(let keys, let context):
                throw PixelSetFileError(file: file, line: context.mark.line, "\(keys.joined(separator: ", ")) given twice in one mapping")
            default:
                throw PixelSetFileError(file: file, line: nil, "YAML: \(error)")
            }
        } catch {
            throw PixelSetFileError(file: file, line: nil, "\(error)")
        }
        guard let root, let top = root.mapping else { throw PixelSetFileError(file: file, line: root?.mark?.line ?? 1, #"expected a mapping with "sets""#) }
        for (key, _) in top where key.string != "sets" { throw failure(key, #"unknown top-level field; expected "sets""#) }
        guard let setsNode = top["sets"] else { throw failure(root, #""sets" is missing"#) }
        guard let mapping = setsNode.mapping else { throw failure(setsNode, #""sets" must map each set's name to its list of pixels"#) }
        var sets: [PixelSetName: [PixelTag]] = [:]
        for (key, value) in mapping {
            guard let text = key.string, let name = PixelSetName(rawValue: text) else {
                throw failure(key, "a set's name is 1-64 of A-Z a-z 0-9 - _ .")
            }
            guard let items = value.sequence else { throw failure(value, "set \"\(name)\": expected a list of pixels, such as - meta: \"1234567890\"") }
            guard !items.isEmpty, items.count <= PixelSets.maxPixels else {
                throw failure(value, "set \"\(name)\": a set has 1-\(PixelSets.maxPixels) pixels")
            }
            sets[name] = try items.map { item throws(PixelSetFileError) in
                guard let pair = item.mapping, pair.count == 1, let (kindNode, valueNode) = pair.first, let kind = kindNode.string else {
                    throw failure(item, "set \"\(name)\": each pixel is one kind and its value, such as - meta: \"1234567890\"")
                }
                guard let value = valueNode.scalar?.string else { throw failure(valueNode, "set \"\(name)\", \(kind): expected a single value") }
                do {
                    return try PixelTag(kind: kind, value: value)
                } catch {
                    throw failure(kindNode, "set \"\(name)\", \(kind): \(error)")
                }
            }
        }
        return PixelSets(sets)
    }
}

/// Why a pixel-set file was refused: where, and what is wrong.
public struct PixelSetFileError: Error, Sendable, Hashable, CustomStringConvertible {
    public var file: String
    /// 1-based, when known.
    public var line: Int?
    public var message: String

    public init(file: String, line: Int?, _ message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    /// `sets.yaml:4: set "spring", meta: a Meta pixel id is 5-20 digits`.
    public var description: String {
        "\(file)\(line.map { ":\($0)" } ?? ""): \(message)"
    }
}
