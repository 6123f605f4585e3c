import Relay
import Yams

/// Typed reads of Yams nodes that fail with `EdgeConfigurationError` naming the node's position.
struct EdgeYAMLReader {
    let file: String

    func error(_ node: Node, key: String?, _ message: String) -> EdgeConfigurationError {
        EdgeConfigurationError(file: file, line: node.mark?.line ?? 0, column: node.mark?.column ?? 0, key: key, message: message)
    }

    func unknown(_ node: Node, key: String) -> EdgeConfigurationError { error(node, key: key, "unknown key") }

    /// The (key, key node, value) entries of a mapping, in file order.
    func entries(_ node: Node, path: String) throws(EdgeConfigurationError) -> [(String, Node, Node)] {
        guard case .mapping(let mapping) = node else {
            throw error(node, key: path.isEmpty ? nil : String(path.dropLast()), "expected a mapping")
        }
        var result: [(String, Node, Node)] = []
        for (keyNode, value) in mapping {
            guard let key = keyNode.string else { throw error(keyNode, key: nil, "keys must be strings") }
            result.append((key, keyNode, value))
        }
        return result
    }

    func sequence(_ node: Node, key: String) throws(EdgeConfigurationError) -> [Node] {
        guard case .sequence(let sequence) = node else { throw error(node, key: key, "expected a list") }
        return Array(sequence)
    }

    func string(_ node: Node, key: String) throws(EdgeConfigurationError) -> String {
        guard case .scalar(let scalar) = node else { throw error(node, key: key, "expected a string") }
        return scalar.string
    }

    func strings(_ node: Node, key: String) throws(EdgeConfigurationError) -> [String] {
        if case .scalar(let scalar) = node { return [scalar.string] }
        var result: [String] = []
        for item in try sequence(node, key: key) { result.append(try string(item, key: key)) }
        return result
    }

    func integer(_ node: Node, key: String, range: ClosedRange<Int>) throws(EdgeConfigurationError) -> Int {
        guard case .scalar(let scalar) = node, let value = Int(scalar.string) else { throw error(node, key: key, "expected an integer") }
        guard range.contains(value) else { throw error(node, key: key, "expected \(range.lowerBound)...\(range.upperBound)") }
        return value
    }

    func number(_ node: Node, key: String) throws(EdgeConfigurationError) -> Double {
        guard case .scalar(let scalar) = node, let value = Double(scalar.string), value.isFinite, value >= 0 else {
            throw error(node, key: key, "expected a non-negative number")
        }
        return value
    }

    func bool(_ node: Node, key: String) throws(EdgeConfigurationError) -> Bool {
        switch try string(node, key: key).lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw error(node, key: key, "expected true or false")
        }
    }
}

/// Errors of the edge's config file (the same type as the relay's).
public typealias EdgeConfigurationError = ConfigurationFileError
