/// The `Perf` library behind `tandem perf`: load generators, max-rate search, tuning and reports.
public enum PerfLibrary {}
