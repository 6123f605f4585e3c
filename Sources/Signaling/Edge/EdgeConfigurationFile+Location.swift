import Yams

/// The `location:` section of the edge's YAML:
///
/// ```yaml
/// location:
///   store: sqlite      # memory | sqlite (default): memory = bindings do not survive a restart
/// ```
extension EdgeConfigurationFile {
    static func location(_ node: Node, over base: EdgeLocationStore, reader: EdgeYAMLReader) throws(EdgeConfigurationError)
        -> EdgeLocationStore
    {
        var store = base
        for (key, keyNode, value) in try reader.entries(node, path: "location.") {
            let name = "location.\(key)"
            switch key {
            case "store":
                guard let chosen = EdgeLocationStore(rawValue: try reader.string(value, key: name).lowercased()) else {
                    throw reader.error(value, key: name, "expected \(EdgeLocationStore.choices)")
                }
                store = chosen
            default: throw reader.unknown(keyNode, key: name)
            }
        }
        return store
    }
}
