extension EnergizeTechWarehouse {
    /// `stg_*` views: typed, trimmed, money as `numeric(14,2)`.
    var staging: [Model] {
        [
            view("stg_customers", """
                SELECT \(["customer_id", "name", "email", "type", "city", "state", "region"].map { column("customers", $0, "text") }.joined(separator: ", ")),
                  \(column("customers", "created_at", "timestamptz")), \(column("customers", "updated_at", "timestamptz"))
                FROM \(raw("customers")) r
                """),
            view("stg_products", """
                SELECT \(column("products", "sku", "text")), \(column("products", "name", "text")), \(column("products", "chemistry", "text")),
                  \(column("products", "capacity_kwh", "double precision")), \(column("products", "voltage", "integer")),
                  \(column("products", "warranty_years", "integer")), \(column("products", "list_price", "numeric(14,2)")),
                  \(column("products", "active", "boolean")), \(column("products", "created_at", "timestamptz")),
                  \(column("products", "updated_at", "timestamptz"))
                FROM \(raw("products")) r
                """),
            view("stg_stores", """
                SELECT \(["store_id", "name", "channel", "city", "state", "region"].map { column("stores", $0, "text") }.joined(separator: ", ")),
                  \(column("stores", "opened_at", "timestamptz")), \(column("stores", "updated_at", "timestamptz"))
                FROM \(raw("stores")) r
                """),
            view("stg_sales", """
                SELECT \(column("sales", "_id", "text")), \(["sale_id", "customer_id", "store_id", "channel"].map { column("sales", $0, "text") }.joined(separator: ", ")),
                  \(column("sales", "sold_at", "timestamptz")), \(column("sales", "status", "text")),
                  \(column("sales", "total_amount", "numeric(14,2)")), \(column("sales", "currency", "text")),
                  \(column("sales", "updated_at", "timestamptz")), r."_run_id"
                FROM \(raw("sales")) r
                """),
            view("stg_sale_items", """
                SELECT \(column("sales", "sale_id", "text")), i.line_number::integer AS line_number, i.item->>'sku' AS sku,
                  (i.item->>'quantity')::numeric::integer AS quantity, (i.item->>'unit_price')::numeric(14,2) AS unit_price,
                  coalesce((i.item->>'discount')::numeric, 0) AS discount
                FROM \(raw("sales")) r
                CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(\(itemsColumn)) = 'array' THEN \(itemsColumn) ELSE '[]' END)
                  WITH ORDINALITY AS i(item, line_number)
                WHERE \(Self.validItem("i.item"))
                """),
            view("stg_sale_item_rejects", """
                SELECT \(column("sales", "_id", "text")), \(column("sales", "sale_id", "text")), i.line_number::integer AS line_number, i.item,
                  'items.' || (i.line_number - 1) || ': ' || CASE
                    WHEN jsonb_typeof(i.item) <> 'object' THEN 'not a document'
                    WHEN jsonb_typeof(i.item->'sku') IS DISTINCT FROM 'string' THEN 'sku is not text'
                    WHEN jsonb_typeof(i.item->'quantity') IS DISTINCT FROM 'number' THEN 'quantity ' || coalesce(i.item->>'quantity', 'missing') || ' is not a number'
                    WHEN jsonb_typeof(i.item->'unit_price') IS DISTINCT FROM 'number' THEN 'unit_price ' || coalesce(i.item->>'unit_price', 'missing') || ' is not a number'
                    ELSE 'values cannot be cast (quantity whole, unit_price below 10^12, discount a number)' END AS reason
                FROM \(raw("sales")) r
                CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(\(itemsColumn)) = 'array' THEN \(itemsColumn) ELSE '[]' END)
                  WITH ORDINALITY AS i(item, line_number)
                WHERE NOT (\(Self.validItem("i.item")))
                """),
            view("stg_transactions", """
                SELECT \(["transaction_id", "sale_id", "kind", "method"].map { column("transactions", $0, "text") }.joined(separator: ", ")),
                  \(column("transactions", "amount", "numeric(14,2)")), \(column("transactions", "installments", "integer")),
                  \(column("transactions", "occurred_at", "timestamptz")), \(column("transactions", "updated_at", "timestamptz")),
                  r."_run_id"
                FROM \(raw("transactions")) r
                """),
        ]
    }

    private var itemsColumn: String {
        rawColumns["sales"]?.contains("items") == true ? "r.\"items\"" : "NULL::jsonb"
    }

    /// Whether a sale line can be typed: a document with text `sku`, a whole `quantity`, a numeric
    /// `unit_price` that fits `numeric(14,2)`, and a numeric or missing `discount`.
    static func validItem(_ item: String) -> String {
        // CASE, not AND: PostgreSQL does not promise to test the kind before the cast.
        """
        CASE WHEN jsonb_typeof(\(item)) = 'object' AND jsonb_typeof(\(item)->'sku') = 'string'
               AND jsonb_typeof(\(item)->'quantity') = 'number' AND jsonb_typeof(\(item)->'unit_price') = 'number'
               AND coalesce(jsonb_typeof(\(item)->'discount'), 'null') IN ('number', 'null')
             THEN (\(item)->>'quantity')::numeric = trunc((\(item)->>'quantity')::numeric)
               AND abs((\(item)->>'quantity')::numeric) < 2147483648
               AND abs((\(item)->>'unit_price')::numeric) < 1000000000000
             ELSE false END
        """
    }

    func view(_ name: String, _ sql: String, dependencies: [String] = []) -> Model {
        Model(name: name, schema: stagingSchema, sql: sql, materialization: .view, dependencies: dependencies)
    }
}
