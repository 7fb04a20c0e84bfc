internal import CMongoC

extension MongoError {
    /// The server codes that say a change stream cannot resume from its token: the history it
    /// needs is gone (`ChangeStreamHistoryLost` 286, `CappedPositionLost` 136), the token is not
    /// one it knows (`InvalidResumeToken` 260), or the stream ended for good
    /// (`ChangeStreamFatalError` 280, `ChangeStreamInvalidated` 293).
    static let resumeImpossibleCodes: Set<UInt32> = [136, 260, 280, 286, 293]

    /// Whether the error says the stream cannot resume from its token, whatever a retry does:
    /// only a new snapshot (a resync) can close the gap.
    public var isResumeImpossible: Bool {
        domain == UInt32(MONGOC_ERROR_SERVER.rawValue) && Self.resumeImpossibleCodes.contains(code)
    }
}
