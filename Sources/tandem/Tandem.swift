import ArgumentParser

/// The `tandem` command line: a thin layer that parses flags and hands them to the libraries.
/// Subcommands arrive with the features they drive; none of them is a placeholder.
@main
struct Tandem: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tandem",
        abstract: "An ng-controlled RTP relay and a SIP edge proxy for a FreeSWITCH farm.",
        version: TandemVersion.string,
        subcommands: [RelayCommand.self, PerfCommand.self, SignalingCommand.self]
    )
}

/// The version printed by `--version`.
enum TandemVersion {
    static let string = "0.1.0"
}
