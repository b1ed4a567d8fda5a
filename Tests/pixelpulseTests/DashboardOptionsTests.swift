import ArgumentParser
import PixelDashboard
@testable import pixelpulse
import Testing

@Suite(.withoutPixelPulseEnvironment) struct DashboardOptionsTests {
    @Test func loopbackIsOpenByDefault() throws {
        let configuration = try DashboardAccessOptions.parse([]).configuration(address: "127.0.0.1:8081", flag: "--http")
        #expect(configuration.host == "127.0.0.1" && configuration.port == 8081 && configuration.access == .open)
    }

    @Test func beyondLoopbackItRefusesToStartWithoutATokenOrTheFlag() throws {
        let message = validationMessage { try DashboardAccessOptions.parse([]).configuration(address: "0.0.0.0:8081", flag: "--http") }
        #expect(message?.contains("--dashboard-token") == true && message?.contains("--open-dashboard") == true)
        #expect(throws: (any Error).self) { try ServeCommand.parse(["--dashboard-http", "192.0.2.7:8081"]) }
        #expect(throws: (any Error).self) { try DashboardCommand.parse(["--http", "0.0.0.0:8081"]) }
    }

    @Test func aTokenOrTheFlagLetsItListenBeyondLoopback() throws {
        let token = try DashboardCommand.parse(["--http", "0.0.0.0:9000", "--dashboard-token", "0123456789abcdef"])
        #expect(try token.access.configuration(address: "0.0.0.0:9000", flag: "--http").access == .token("0123456789abcdef"))
        let open = try DashboardCommand.parse(["--http", "[::]:9000", "--open-dashboard"])
        let configuration = try open.access.configuration(address: "[::]:9000", flag: "--http")
        _ = try ServeCommand.parse(["--dashboard-http", "0.0.0.0:8081", "--open-dashboard"])
        #expect(configuration.host == "::" && configuration.access == .open)
        let short = try DashboardAccessOptions.parse(["--dashboard-token", "short"])
        #expect(validationMessage { try short.configuration(address: "127.0.0.1:8081", flag: "--http") }?.contains("16") == true)
        #expect(validationMessage { try DashboardAccessOptions.parse([]).configuration(address: "nowhere", flag: "--http") }?.contains("HOST:PORT") == true)
    }
}
