/// The version of Quaero, reported by `quaero --version`, `/health` and the benchmark.
public let quaeroVersion = "0.1.0"
