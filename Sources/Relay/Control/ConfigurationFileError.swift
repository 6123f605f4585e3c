import Yams

/// A config file problem, `file:line:column: key 'k': message`, for both daemons' YAML files (`tandem relay
/// --config`, `tandem signaling --config`): the operator is told where to look, never just "invalid config".
public struct ConfigurationFileError: Error, Equatable, Sendable, CustomStringConvertible {
    public var file: String
    /// 1-based; 0 when unknown.
    public var line: Int
    public var column: Int
    public var key: String?
    public var message: String

    public init(file: String, line: Int, column: Int, key: String?, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.key = key
        self.message = message
    }

    public init(file: String, node: Node, key: String?, message: String) {
        self.init(file: file, line: node.mark?.line ?? 0, column: node.mark?.column ?? 0, key: key, message: message)
    }

    public init(file: String, yamlError: YamlError) {
        switch yamlError {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _):
            self.init(file: file, line: mark.line, column: mark.column, key: nil, message: problem)
        case .composer(_, let problem, let mark, _):
            self.init(file: file, line: mark.line, column: mark.column, key: nil, message: problem)
        default:
            self.init(file: file, line: 0, column: 0, key: nil, message: "\(yamlError)")
        }
    }

    public var description: String {
        let keyText = key.map { "key '\($0)': " } ?? ""
        return "\(file):\(line):\(column): \(keyText)\(message)"
    }
}
