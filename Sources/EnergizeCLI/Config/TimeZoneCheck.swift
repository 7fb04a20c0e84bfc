import PGSink

extension EnergizeConfig {
    /// Throws a `ConfigError` naming `time_zone` when PostgreSQL does not know the project's time
    /// zone. The models convert with it (`{{ var('time_zone') }}`), so a misspelt zone is found
    /// before a run loads anything, not at the first model that uses it.
    /// - Parameter connection: a connection to the warehouse.
    func checkTimeZone(on connection: PGConnection) throws {
        do {
            _ = try connection.execute("SELECT now() AT TIME ZONE $1", [timeZone])
        } catch let error as PGError where error.sqlState == "22023" {
            throw ConfigError(file: file, path: "time_zone",
                              problem: "PostgreSQL does not know the time zone `\(timeZone)`: expected a name of pg_timezone_names, like America/Sao_Paulo or UTC")
        }
    }

    /// ``checkTimeZone(on:)`` on a connection of its own, when the project builds models at all:
    /// what `run`, `schedule` and `follow` do before anything starts.
    /// - Parameter pgURI: the warehouse's connection string.
    func checkTimeZone(pgURI: String) throws {
        guard transform else { return }
        let connection = try PGConnection(pgURI, applicationName: "energize \(pipeline) check")
        defer { connection.close() }
        try checkTimeZone(on: connection)
    }
}
