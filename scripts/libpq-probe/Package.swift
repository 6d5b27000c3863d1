// swift-tools-version:6.0
// A measurement, not part of Quaero's build: how fast a Swift client on libpq sends the floor's INSERT, in the
// three ways a store could run its statements (see README.md here). Needs libpq's headers (Debian: libpq-dev).
import PackageDescription

let package = Package(
    name: "libpq-probe",
    targets: [
        .systemLibrary(name: "CPQ", path: "Sources/CPQ"),
        .executableTarget(name: "libpq-probe", dependencies: ["CPQ"]),
    ]
)
