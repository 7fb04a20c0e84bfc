import Testing
@testable import Warehouse

@Suite struct ModelCompilerTests {
    let environment = ModelEnvironment(schemas: ["staging": "stg", "warehouse": "wh", "marts": "shop_marts"], rawSchema: "raw",
                                       rawColumns: ["sales": ["_id", "sale_id", "items"], "stores": ["store_id"], "_rejects": ["reason"]],
                                       streamTables: ["sales", "stores", "orders"], vars: ["time_zone": "America/Sao_Paulo", "odd": #"it's \ odd"#])

    func compile(_ files: [(String, String)], folder: String? = nil) throws -> [String: Model] {
        let models = try ModelCompiler(environment: environment).compile(files.map { ModelFile(name: $0.0, text: $0.1, folder: folder) })
        return Dictionary(uniqueKeysWithValues: models.map { ($0.name, $0) })
    }

    static let dimension = ("dim_customer", """
        -- energize: materialized=scd2 unique_key=customer_id tracked=city,region hard_deletes=ignore
        SELECT customer_id, city, region, created_at, updated_at FROM {{ raw('sales') }}
        """)

    @Test func resolvesReferencesVariablesAndRawColumns() throws {
        let models = try compile([("fact", "-- energize: materialized=table schema=marts\nSELECT 1"), ("m", """
            -- energize: materialized=table
            SELECT {{ raw_column('sales', 'items') }}, {{ raw_column("sales", "discount") }}, x AT TIME ZONE {{ var('time_zone') }}, {{var('odd')}}
            FROM {{ ref('fact') }} f JOIN {{raw("stores")}} s ON true;
            """)])
        #expect(models["m"]?.sql == #"SELECT "items", NULL, x AT TIME ZONE 'America/Sao_Paulo', E'it''s \\ odd'"# + "\n"
                + #"FROM "shop_marts"."fact" f JOIN "raw"."stores" s ON true"#)
        #expect(models["m"]?.materialization is TableMaterialization)
        #expect(models["m"]?.schema == "wh")
        #expect(models["m"]?.dependencies == ["fact"])
    }

    @Test func aFolderNamingAProjectSchemaIsTheDefault() throws {
        #expect(try compile([("v", "SELECT 1")], folder: "staging")["v"]?.schema == "stg")
        #expect(try compile([("v", "SELECT 1")], folder: "other")["v"]?.schema == "wh")
    }

    @Test func dimensionsComeFromTheirHeaders() throws {
        let models = try compile([Self.dimension, ("dim_store", """
            -- energize: materialized=type1 unique_key=store_id attributes=name,region
            SELECT store_id, name, region FROM {{ raw('stores') }}
            """)])
        #expect(models["dim_customer"]?.materialization as? SCD2Dimension == SCD2Dimension(
            naturalKey: "customer_id", surrogateKey: "customer_sk", tracked: ["city", "region"], carried: ["created_at", "updated_at"],
            createdAt: "created_at", updatedAt: "updated_at", hardDeletes: .ignore))
        #expect(models["dim_store"]?.materialization as? Type1Dimension == Type1Dimension(naturalKey: "store_id", surrogateKey: "store_sk", attributes: ["name", "region"]))
    }

    @Test func incrementalModelsBindTheirRunsAndReadNewVersions() throws {
        let models = try compile([Self.dimension, ("fact", """
            -- energize: materialized=incremental unique_key=sale_id,line scope=sale_id
            SELECT sale_id, {{ scd2_lookup('dim_customer', 's.customer_id', 's.sold_at') }} AS customer_sk FROM {{ raw('sales') }} s
            -- energize: changed_scopes
            SELECT sale_id FROM {{ raw('sales') }} WHERE _run_id > {{ last_run_id }}
            UNION SELECT sale_id FROM {{ this }} JOIN ({{ new_versions('dim_customer') }}) d USING (customer_id)
            """)])
        let fact = try #require(models["fact"])
        let config = try #require(fact.materialization as? Incremental)
        #expect(config.uniqueKey == ["sale_id", "line"] && config.scope == ["sale_id"])
        #expect(config.changedScopes.parameters == [.lastRunId])
        #expect(config.changedScopes.description.hasPrefix(#"SELECT sale_id FROM "raw"."sales" WHERE _run_id > {{ last_run_id }}"#))
        #expect(config.changedScopes.description.contains(#"FROM "wh"."fact" JOIN (SELECT n."customer_id", CASE"#))
        #expect(fact.sql.contains(#"(SELECT energize_v."customer_sk" FROM "wh"."dim_customer" energize_v WHERE energize_v."customer_id" = s.customer_id AND energize_v.valid_from <= s.sold_at"#))
        #expect(fact.dependencies == ["dim_customer"])
    }

    @Test func scd2JoinFindsTheValidVersionSetBased() throws {
        let models = try compile([Self.dimension, ("fact", """
            -- energize: materialized=table
            SELECT s.sale_id, coalesce(c.customer_sk, -1) AS customer_sk FROM {{ raw('sales') }} s
            {{ scd2_join('dim_customer', 's.customer_id', 's.sold_at', 'c') }}
            """)])
        let sql = try #require(models["fact"]?.sql)
        #expect(sql.contains(#"LEFT JOIN "wh"."dim_customer__energize_ranges" c"#))
        #expect(sql.contains("ON c.energize_key = s.customer_id"))
        #expect(sql.contains("AND coalesce(s.sold_at, '-infinity') >= c.energize_from AND coalesce(s.sold_at, '-infinity') < c.energize_to"))
        #expect(models["fact"]?.dependencies == ["dim_customer"])
        #expect(throws: ModelFileError.self) {
            try compile([Self.dimension, ("bad", "SELECT 1 FROM x {{ scd2_join('dim_customer', 'k', 't', 'C x') }}")])
        }
    }

    static let fact = ("fact", """
        -- energize: materialized=incremental unique_key=sale_id,line scope=sale_id
        SELECT sale_id, line, month, amount FROM {{ raw('sales') }} r WHERE {{ in_scope('r.sale_id') }}
        -- energize: changed_scopes
        SELECT sale_id FROM {{ raw('sales') }} WHERE _run_id > {{ last_run_id }}
        """)

    @Test func inScopeIsTrueInAFullBuildAndTheChangedScopesInAnIncrementalRun() throws {
        let fact = try #require(try compile([Self.fact])["fact"])
        let incremental = try #require(fact.materialization as? Incremental)
        #expect(fact.sql.hasSuffix("r WHERE TRUE"))
        #expect(incremental.scopedSQL?.hasSuffix(#"r WHERE ((r.sale_id) IN (SELECT "sale_id" FROM energize_scope))"#) == true)
        #expect(incremental.logsChanges == false)
    }

    @Test func changesReadTheChangeLogOfAnIncrementalModelWhichThenKeepsOne() throws {
        let models = try compile([Self.fact, ("agg", """
            -- energize: materialized=incremental unique_key=month
            SELECT month, sum(amount) AS amount FROM {{ ref('fact') }} WHERE {{ in_scope('month') }} GROUP BY month
            -- energize: changed_scopes
            SELECT DISTINCT month FROM {{ changes('fact') }} f
            """)])
        let agg = try #require(models["agg"])
        let log = ChangeLog(schema: "wh", model: "fact")
        #expect(agg.changeLogs == [log])
        #expect(agg.dependencies == ["fact"])
        #expect((models["fact"]?.materialization as? Incremental)?.logsChanges == true)
        let scopes = try #require((agg.materialization as? Incremental)?.changedScopes.description)
        #expect(scopes.contains(#"FROM "wh"."fact__energize_changes" energize_c"#))
        #expect(scopes.contains(#"jsonb_populate_record(NULL::"wh"."fact", energize_c.row)"#))
        #expect(scopes.contains("energize_c.run_id > {{ last_run_id }} AND energize_c.change IN ('deleted', 'inserted')"))
        #expect(throws: ModelFileError.self) {
            try compile([("t", "-- energize: materialized=table\nSELECT 1"), ("agg", """
                -- energize: materialized=incremental unique_key=month
                SELECT 1 AS month
                -- energize: changed_scopes
                SELECT month FROM {{ changes('t') }} f
                """)])
        }
    }

    @Test func anAddModelCompilesItsDeltasAndRebuildWhenSections() throws {
        let models = try compile([Self.fact, ("agg", """
            -- energize: materialized=incremental incremental_strategy=add unique_key=month count_column=lines
            SELECT month, count(*) AS lines, sum(amount) AS amount FROM {{ ref('fact') }} GROUP BY month
            -- energize: deltas
            SELECT month, sum(energize_sign) AS lines, sum(energize_sign * amount) AS amount FROM {{ changes('fact') }} f GROUP BY month
            -- energize: rebuild_when
            SELECT 1 FROM {{ raw('sales') }} WHERE _run_id > {{ last_run_id }} AND false
            """)])
        let agg = try #require(models["agg"]?.materialization as? Incremental)
        guard case .add(let deltas, let countColumn) = agg.strategy else { Issue.record("not an add model: \(agg.strategy)"); return }
        #expect(countColumn == "lines" && agg.scope == ["month"])
        #expect(deltas.description.contains(#"FROM "wh"."fact__energize_changes" energize_c"#))
        #expect(agg.rebuildWhen?.parameters == [.lastRunId])
        #expect((models["fact"]?.materialization as? Incremental)?.logsChanges == true)
        #expect(models["agg"]?.dependencies == ["fact"])
    }

    @Test func aTrailingCommentCannotSwallowWhatFollows() throws {
        #expect(try compile([("v", "SELECT 1 -- the end")])["v"]?.sql == "SELECT 1 -- the end\n")
    }

    @Test(arguments: [
        ("-- energize: materialised=table\nSELECT 1", "m.sql:1: unknown setting `materialised`; expected materialized, schema, attributes, carried, count_column, hard_deletes, incremental_strategy, rejects_of, scope, surrogate_key, tracked, unique_key, updated_at, valid_from"),
        ("SELECT * FROM {{ ref('nope') }}", "m.sql:1: {{ ref('nope') }} names no model; models: m"),
        ("-- energize: materialized=incremental\nSELECT 1", "m.sql: materialized=incremental needs unique_key="),
        ("-- energize: materialized=incremental unique_key=a\nSELECT 1", "m.sql: materialized=incremental needs a `-- energize: changed_scopes` section with the SELECT of the scopes to rebuild"),
        ("-- energize: materialized=snapshot\nSELECT 1", "m.sql:1: materialized=snapshot; expected view, table, incremental, scd2 or type1"),
        ("-- energize: materialized=table tracked=a\nSELECT 1", "m.sql:1: `tracked` does not apply to materialized=table"),
        ("-- energize: materialized=scd2 unique_key=k\nSELECT 1", "m.sql: materialized=scd2 needs tracked="),
        ("-- energize: schema=marts2\nSELECT 1", "m.sql:1: schema=marts2 is not a schema of this project; it has marts, staging, warehouse (add others under `schemas:` in energize.yml)"),
        ("SELECT 1\nFROM {{ raw('orders') }}", "m.sql:2: {{ raw('orders') }}: raw table raw.orders does not exist: load its stream first (`energize run`)"),
        ("SELECT 1\nFROM {{ raw('ordrs') }}",
         "m.sql:2: {{ raw('ordrs') }}: raw table raw.ordrs does not exist, and no stream of the project loads it; the raw tables: orders, sales, stores"),
        ("SELECT {{ last_run_id }}", "m.sql:1: {{ last_run_id }} is only known in an incremental model's changed_scopes, deltas and rebuild_when sections"),
        ("SELECT {{ var('currency') }}", "m.sql:1: {{ var('currency') }}: no variable currency; the project has odd, time_zone"),
        ("SELECT {{ ref(fact) }}", "m.sql:1: {{ ref(fact) }}: arguments are quoted text, like ref('model')"),
        ("SELECT {{ source('a', 'b') }}", "m.sql:1: {{ source('a', 'b') }}: unknown macro; expected one of changes, in_scope, last_run_id, new_versions, raw, raw_column, ref, run_id, scd2_join, scd2_lookup, this, var"),
        ("SELECT {{ ref('m', 'x') }}", "m.sql:1: {{ ref('m', 'x') }}: ref takes 1 quoted argument"),
        ("SELECT {{ this", "m.sql:1: `{{` without a closing `}}`"),
        ("-- energize: materialized=view\n-- energize: materialized=table\nSELECT 1", "m.sql:2: `materialized` is set twice"),
        ("SELECT 1 WHERE {{ in_scope('a') }}", "m.sql:1: {{ in_scope('a') }} is only known in the SELECT of a materialized=incremental model"),
        ("-- energize: materialized=incremental unique_key=a,b scope=a,b\nSELECT 1 WHERE {{ in_scope('a') }}\n-- energize: changed_scopes\nSELECT 1, 2",
         "m.sql:2: {{ in_scope('a') }}: in_scope takes one expression per scope column (a, b)"),
        ("-- energize: materialized=incremental unique_key=a incremental_strategy=merge\nSELECT 1",
         "m.sql:1: incremental_strategy=merge; expected delete+insert or add"),
        ("-- energize: materialized=incremental unique_key=a incremental_strategy=add\nSELECT 1",
         "m.sql:1: incremental_strategy=add needs count_column= (the column that counts what a row sums, e.g. orders)"),
        ("-- energize: materialized=incremental unique_key=a incremental_strategy=add count_column=a\nSELECT 1",
         "m.sql:1: count_column=a is in unique_key; it names the column outside it that counts what a row sums"),
        ("-- energize: materialized=incremental unique_key=a count_column=n\nSELECT 1",
         "m.sql:1: `count_column` applies to incremental_strategy=add only"),
        ("-- energize: materialized=incremental unique_key=a incremental_strategy=add count_column=n\nSELECT 1 AS a, 1 AS n\n-- energize: changed_scopes\nSELECT 1",
         "m.sql: incremental_strategy=add needs a `-- energize: deltas` section with the SELECT of what to add per unique_key"),
        ("-- energize: materialized=incremental unique_key=a incremental_strategy=add count_column=n\nSELECT 1 AS a, 1 AS n\n-- energize: deltas\nSELECT 1, 1\n-- energize: changed_scopes\nSELECT 1",
         "m.sql:5: a changed_scopes section does not apply to incremental_strategy=add"),
        ("-- energize: materialized=table\nSELECT 1\n-- energize: rebuild_when\nSELECT 1", "m.sql:3: a rebuild_when section belongs to materialized=incremental only"),
        ("-- energize: materialized=incremental unique_key=a\nSELECT 1\n-- energize: changed_scope\nSELECT 1",
         "m.sql:3: unknown section `changed_scope`; expected changed_scopes, deltas, rebuild_when or key=value settings"),
        ("SELECT * FROM {{ changes('m') }}", "m.sql:1: {{ changes('m') }} is only known in an incremental model's changed_scopes, deltas and rebuild_when sections"),
    ])
    func mistakesNameTheFileTheLineAndTheProblem(text: String, message: String) {
        #expect(throws: ModelFileError.self) { try compile([("m", text)]) }
        do {
            _ = try compile([("m", text)])
        } catch {
            #expect("\(error)" == message)
        }
    }

    @Test func projectTestsAreQueriesFiledUnderTheirFirstModel() throws {
        let compiler = ModelCompiler(environment: environment)
        let models = try compiler.compile([ModelFile(name: "fact", text: "SELECT 1 AS x")])
        let tests = try compiler.compileTests([ModelFile(name: "no_negatives", text: "SELECT * FROM {{ ref('fact') }} WHERE x < 0")], models: models)
        var expected = DataTest(model: "fact", .query(name: "no_negatives", sql: #"SELECT * FROM "wh"."fact" WHERE x < 0"#))
        expected.reads = ["fact"]
        #expect(tests == [expected])
        #expect(tests[0].models == ["fact"])
        #expect(tests[0].failuresQuery { $0 }.sql == #"SELECT row_to_json(t)::text FROM (SELECT * FROM "wh"."fact" WHERE x < 0) t"#)
    }
}

@Suite struct DataTestQueryTests {
    @Test func acceptedValuesTravelAsAParameter() {
        let query = DataTest(model: "fact", .acceptedValues("status", ["completed", #"it's "odd" \ value"#])).failuresQuery { #""w"."\#($0)""# }
        #expect(query.sql == #"SELECT DISTINCT "status"::text FROM "w"."fact" WHERE "status" IS NOT NULL AND NOT ("status"::text = ANY ($1::text[]))"#)
        #expect(query.parameters == [#"{"completed","it's \"odd\" \\ value"}"#])
    }
}
