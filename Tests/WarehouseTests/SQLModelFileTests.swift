import Testing
@testable import Warehouse

@Suite struct SQLModelFileTests {
    func parse(_ text: String, name: String = "m") throws -> Model {
        try SQLModelFile(name: name, text: text).model(relation: { ["fact_sales": #""warehouse"."fact_sales""#, "m": #""x"."m""#][$0] },
                                                       raw: { #""public"."\#($0)""# }, defaultSchema: "warehouse")
    }

    @Test func resolvesReferencesAndHeader() throws {
        let model = try parse("""
            -- energize: materialized=table schema=marts
            SELECT * FROM {{ ref('fact_sales') }} f JOIN {{raw("stores")}} s ON true;
            """)
        #expect(model.sql == #"SELECT * FROM "warehouse"."fact_sales" f JOIN "public"."stores" s ON true"#)
        #expect(model.materialization == .table)
        #expect(model.schema == "marts")
        #expect(model.dependencies == ["fact_sales"])
    }

    @Test func incrementalModelsCarryTheirChangedScopes() throws {
        let model = try parse("""
            -- energize: materialized=incremental unique_key=sale_id,line_number scope=sale_id
            SELECT * FROM {{ ref('fact_sales') }}
            -- energize: changed_scopes
            SELECT sale_id FROM {{ ref('m') }} WHERE $1::bigint > 0 AND $2::bigint > 0
            """)
        #expect(model.materialization == .incremental(IncrementalConfig(
            uniqueKey: ["sale_id", "line_number"], scope: ["sale_id"],
            changedScopes: #"SELECT sale_id FROM "x"."m" WHERE $1::bigint > 0 AND $2::bigint > 0"#)))
        #expect(model.dependencies == ["fact_sales"])
    }

    @Test func mistakesNameTheFileAndTheProblem() {
        #expect(throws: SQLModelFile.Invalid(description: "m.sql:1: unknown setting `materialised=table`; expected materialized=, schema=, unique_key=, scope=")) {
            try parse("-- energize: materialised=table\nSELECT 1")
        }
        #expect(throws: SQLModelFile.Invalid(description: "m.sql: {{ ref('nope') }} names no model")) {
            try parse("SELECT * FROM {{ ref('nope') }}")
        }
        #expect(throws: SQLModelFile.Invalid(description: "m.sql: materialized=incremental needs unique_key=")) {
            try parse("-- energize: materialized=incremental\nSELECT 1")
        }
        #expect(throws: SQLModelFile.Invalid(description: "m.sql: materialized=snapshot; expected view, table or incremental")) {
            try parse("-- energize: materialized=snapshot\nSELECT 1")
        }
    }
}

@Suite struct SCD2StatementTests {
    @Test func changesAreDetectedOnTrackedColumnsOnly() {
        let dimension = SCD2Dimension(naturalKey: "customer_id", surrogateKey: "customer_sk", tracked: ["city"], carried: ["updated_at"])
        let statements = dimension.runStatements(table: #""w"."dim""#, source: "SELECT 1")
        #expect(statements[2].contains(#"WHERE t."city" IS DISTINCT FROM s."city""#))
        #expect(!statements[2].contains(#"t."updated_at" IS DISTINCT FROM"#))
        #expect(statements.count == 7)
        let ignoring = SCD2Dimension(naturalKey: "k", surrogateKey: "sk", tracked: ["a"], hardDeletes: .ignore)
        #expect(ignoring.runStatements(table: "t", source: "SELECT 1").count == 6)
    }
}

@Suite struct DataTestQueryTests {
    @Test func acceptedValuesTravelAsAParameter() {
        let query = DataTest(model: "fact", .acceptedValues("status", ["completed", #"it's "odd" \ value"#])).failuresQuery { #""w"."\#($0)""# }
        #expect(query.sql == #"SELECT DISTINCT "status"::text FROM "w"."fact" WHERE "status" IS NOT NULL AND NOT ("status"::text = ANY ($1::text[]))"#)
        #expect(query.parameters == [#"{"completed","it's \"odd\" \\ value"}"#])
    }
}
