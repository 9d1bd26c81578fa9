// swift-tools-version:6.0
import PackageDescription

let strict: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny")]
// Each function in a section of its own in a release build, so that the link can lay them out
// in the order `scripts/release.order` gives (below).
let releaseCode: [SwiftSetting] = strict + [.unsafeFlags(["-Xfrontend", "-function-sections"], .when(platforms: [.linux], configuration: .release))]

// The release `runbook` is linked by lld with packed relative relocations (DT_RELR, glibc 2.36+):
// gold's 1.9 MB of relocations are read and applied at every start; packed they are 15 KB, and the
// process starts with 1.8 MiB less resident (docs/benchmarks.md). lld ships with the Swift toolchain.
//
// lld also lays out first, together, the functions `scripts/release.order` names: the ones the
// commands operators use most run (start-up, run, rehearsal, resume, check, show, runs, status,
// verify, export), as `scripts/symbol-order.sh` saw them under callgrind. A run then keeps half
// the pages of the binary's code resident it did, 4.9 MB instead of 9.4 (docs/benchmarks.md). A
// name the binary no longer has is skipped: a stale list costs some of the gain, never the build.
let packageFolder = String(#filePath.dropLast("Package.swift".count))
let releaseLink: [LinkerSetting] = [
    .unsafeFlags(
        [
            "-Xclang-linker", "-fuse-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs",
            "-Xlinker", "--symbol-ordering-file=\(packageFolder)scripts/release.order", "-Xlinker", "--no-warn-symbol-ordering",
        ], .when(platforms: [.linux], configuration: .release))
]

let package = Package(
    name: "runbook",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "runbook", targets: ["runbook"]),
        .library(name: "RunbookKit", targets: ["RunbookKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // Debian's libcmark-dev (CommonMark reference parser).
        .systemLibrary(
            name: "CCmark",
            pkgConfig: "libcmark",
            providers: [.apt(["libcmark-dev"])]
        ),
        // OpenSSL's libcrypto, for SHA-256 (Debian's libssl-dev), linked statically: only its
        // SHA-256 code goes into the binary (RunbookKit's linker setting).
        .systemLibrary(
            name: "CCrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        // posix_spawn with sessions and chdir, wait-status macros, signal self-pipe, openpty.
        .target(name: "CSupport"),
        .target(
            name: "RunbookKit",
            dependencies: ["CCmark", "CCrypto", "CSupport", "Yams"],
            swiftSettings: releaseCode,
            linkerSettings: [.linkedLibrary(":libcrypto.a")]
        ),
        .executableTarget(
            name: "runbook",
            dependencies: [
                "RunbookKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: releaseCode,
            linkerSettings: releaseLink
        ),
        .executableTarget(
            name: "runbook-bench",
            dependencies: ["RunbookKit", "CCmark"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "RunbookKitTests",
            dependencies: ["RunbookKit"],
            resources: [.copy("Fixtures")],
            swiftSettings: strict
        ),
        // End-to-end tests: they run the built `runbook` binary (through a pseudo-terminal where
        // the behaviour is interactive).
        .testTarget(
            name: "RunbookCLITests",
            dependencies: ["RunbookKit", "CSupport", "runbook"],
            // A run folder written by an earlier version, read through #filePath.
            exclude: ["Fixtures"],
            swiftSettings: strict
        ),
    ]
)
