/// One stream of a pipeline: which collection goes to which table, and how.
public struct StreamConfig: Sendable, Hashable {
    /// The stream's name, unique in its pipeline (by default the collection's).
    public var name: String
    /// The source collection.
    public var collection: String
    /// The destination table (in the sink's raw schema).
    public var table: String
    /// How loads change the table.
    public var strategy: LoadStrategy
    /// The stream's contract; empty accepts any document.
    public var contract: [FieldRequirement]
    /// Whether documents may hold top-level fields the contract does not name.
    public var allowsExtraFields: Bool
    /// Whether this run reads the whole collection and the table becomes what it read, as on a
    /// first load (`energize run --reload`; never set by energize.yml): whatever the strategy,
    /// rows of documents gone from the source are deleted, a keyed stream keeps one row per key
    /// and leaves rows read again unchanged as they are, and the collection's earlier load
    /// rejects are replaced by this run's. As in an incremental, merge or append load (a replace
    /// load drops it), a document whose version is rejected keeps the row its last loaded version
    /// left (`energize verify` lists it as stale). A replace stream's reload is its usual load.
    public var reload = false

    /// One stream.
    /// - Parameters:
    ///   - name: the stream's name, unique in its pipeline.
    ///   - collection: the source collection (default: the name).
    ///   - table: the destination table (default: the name).
    ///   - strategy: how loads change the table.
    ///   - contract: the fields a document must (or may) have; empty accepts any document.
    ///   - allowsExtraFields: whether fields the contract does not name are allowed.
    public init(_ name: String, collection: String? = nil, table: String? = nil,
                strategy: LoadStrategy = .replace, contract: [FieldRequirement] = [], allowsExtraFields: Bool = true) {
        self.name = name
        self.collection = collection ?? name
        self.table = table ?? name
        self.strategy = strategy
        self.contract = contract
        self.allowsExtraFields = allowsExtraFields
    }

    /// What run history records as the stream's load: `LoadStrategy.summary`, followed by
    /// ``reloadMark`` in a run that reloads it.
    public var loadSummary: String { reload ? strategy.summary + Self.reloadMark : strategy.summary }

    /// What ``loadSummary`` ends with in a run that reloads the stream.
    public static let reloadMark = ", reloaded whole"

    /// The rules a document must satisfy: the contract plus the strategy's key and cursor.
    public var rules: DocumentRules {
        DocumentRules(contract: contract, required: strategy.requiredFields, allowsExtraFields: allowsExtraFields)
    }
}

/// What a source is asked to extract for one stream.
public struct ExtractRequest: Sendable, Hashable {
    /// The stream to extract.
    public var stream: StreamConfig
    /// Only the documents of the window this value starts (see ``holds(_:)``); `nil` for all.
    public var cursorFloor: Value?

    /// A request for one stream's documents.
    /// - Parameters:
    ///   - stream: the stream to extract.
    ///   - cursorFloor: the window's first cursor value (see ``holds(_:)``); nil for all.
    public init(stream: StreamConfig, cursorFloor: Value? = nil) {
        self.stream = stream
        self.cursorFloor = cursorFloor
    }

    /// Whether a source reads `document` for this request: every document without a floor; with
    /// one, a document whose cursor is `>=` it (compared within a kind, as MongoDB does) and one
    /// without a cursor (missing or `null`: no window could ever hold it, and it is rejected
    /// for lacking it on every run it is still there). Every source keeps this rule.
    /// - Parameter document: a source document.
    public func holds(_ document: Document) -> Bool {
        guard let floor = cursorFloor, let cursor = stream.strategy.cursorField else { return true }
        guard let value = document[cursor], value != .null else { return true }
        return ValueOrder.compare(value, floor).map { $0 >= 0 } ?? false
    }
}
