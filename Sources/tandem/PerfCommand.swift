import ArgumentParser

/// `tandem perf`: measurement tools. Each subcommand is a real benchmark.
struct PerfCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "perf",
        abstract: "Measure, compare and tune Tandem (and any ng relay).",
        subcommands: [PerfRTPCommand.self, PerfNGCommand.self, PerfCodecsCommand.self, PerfTickCommand.self, PerfDoctorCommand.self,
                      PerfSIPCommand.self, PerfCompareCommand.self, PerfTuneCommand.self, PerfNATTargetCommand.self,
                      PerfKernelInstallCommand.self]
    )
}
