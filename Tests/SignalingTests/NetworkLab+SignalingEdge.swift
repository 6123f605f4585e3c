import Foundation
import Testing
import TestSupport

extension NetworkLab {
    /// Writes `yaml` to `configPath` and starts `tandem signaling --config configPath` in `namespace`, waiting for
    /// its "signaling edge started" line: the one way every namespace test brings up an edge from a config file.
    func startSignalingEdge(in namespace: LabNamespace, binary: String, configPath: String, yaml: String) throws
        -> LabProcess
    {
        try yaml.write(toFile: configPath, atomically: true, encoding: .utf8)
        return try startSignalingEdge(in: namespace, binary: binary, configPath: configPath)
    }

    /// Starts `tandem signaling --config configPath` (already written) in `namespace` and waits until it started.
    func startSignalingEdge(in namespace: LabNamespace, binary: String, configPath: String) throws -> LabProcess {
        let edge = try spawn(namespace, [binary, "signaling", "--config", configPath])
        try #require(edge.waitForOutput(containing: "signaling edge started", timeout: .seconds(10)),
                     "edge did not start: \(edge.standardError().suffix(2000))")
        return edge
    }
}
