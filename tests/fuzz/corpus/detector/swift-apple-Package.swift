// swift-tools-version:5.10
import PackageDescription

let package = Package(
    name: "Lantern",
    platforms: [.iOS(.v15), .macOS(.v12)],
    targets: [.target(name: "Lantern"), .testTarget(name: "LanternTests", dependencies: ["Lantern"])]
)
