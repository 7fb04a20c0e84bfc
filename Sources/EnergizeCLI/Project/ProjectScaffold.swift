/// The files `energize init` writes: a small working project (one collection of orders with
/// a nested customer and an array of lines) to rename and extend.
public enum ProjectScaffold {
    /// Paths relative to the project folder, and their text.
    /// - Parameter pipeline: the pipeline's name (also the MongoDB database's).
    public static func files(pipeline: String) -> [(path: String, text: String)] {
        [("energize.yml", config(pipeline)), ("contracts/orders.yml", contract), ("models/staging/stg_orders.sql", staging),
         ("models/staging/stg_order_lines.sql", lines), ("models/warehouse/daily_revenue.sql", daily), ("models/schema.yml", schema),
         ("tests/no_negative_revenue.sql", test), ("seeds/orders.json", seeds)]
    }

    static func config(_ pipeline: String) -> String {
        """
        # energize.yml — one project: MongoDB → PostgreSQL, then the models in models/.
        # Connection strings may also come from ENERGIZE_MONGO_URI / ENERGIZE_PG_URI (they win).
        pipeline: \(pipeline)                 # names the lock, the run history, the watermarks and the schemas
        time_zone: UTC                        # business dates: {{ var('time_zone') }} in models
        # vars: {currency: BRL}               # more values models read with {{ var('name') }}

        source:
          # mongo_uri: mongodb://user:password@host:27017/?authSource=admin
          database: \(pipeline)
          page_size: 0                        # 0: one cursor per collection; N: _id range pages of N
          # dump_folder: dump/\(pipeline)     # read a mongodump folder instead (.bson or .bson.gz)

        destination:
          # pg_uri: postgresql://user:password@host:5432/warehouse

        # schemas:                            # defaults: <pipeline>_raw, _staging, _warehouse, _meta
        #   raw: \(pipeline)_raw              # raw tables and _rejects
        #   staging: \(pipeline)_staging      # models/staging/*
        #   warehouse: \(pipeline)_warehouse  # models/warehouse/* and models naming no schema
        #   meta: \(pipeline)_meta            # run history, watermarks, data-test results

        # strategy: replace | append | merge (key) | incremental (key, cursor, lookback)
        # contract: a file of contracts/ (what a document must hold, else it goes to _rejects) | none
        streams:
          - {name: orders, strategy: incremental, key: order_id, cursor: updated_at, lookback: 3d, contract: contracts/orders.yml}

        transform:
          enabled: true                       # build models/ after the load, then run the data tests
          # models_dir: models
          # tests_dir: tests

        schedule:                             # for `energize schedule`: a cron expression (UTC) or an interval
          cron: "0 3 * * *"
          # interval: 1h

        retries:                              # per stream, transient failures only (connection refused, restarts)
          attempts: 3
          initial_delay: 10s                  # doubled each time, up to max_delay, with jitter
          max_delay: 10m
          jitter: 0.2

        lock:
          wait: false                         # another run holds the pipeline: exit (false), wait (true) or up to e.g. 30m

        concurrency: 2                        # streams loaded, models built, tests run at the same time
        batch_size: 2500
        # max_reject_ratio: 0.05              # exit 3 when a stream rejects more than 5% of its documents

        """
    }

    static let contract = """
        # What an order document must hold to load; one that breaks a rule goes to _rejects with the reason.
        # Kinds: string, whole_number, number, date, bool, object_id, document, documents, array, any.
        description: Orders as the shop writes them.
        extra_fields: allow                   # reject: a field not listed here rejects the document
        fields:
          order_id: string
          customer:
            kind: document
            fields:
              id: string
              city: {kind: string, optional: true}
          lines:
            kind: documents                   # a non-empty array of documents
            fields:
              product: string
              quantity: whole_number
              price: number
          status: string
          ordered_at: date
          updated_at: date

        """

    static let staging = """
        -- energize: materialized=view
        -- Orders, typed; the nested customer becomes columns.
        SELECT order_id, customer->>'id' AS customer_id, customer->>'city' AS customer_city, status, ordered_at, updated_at
        FROM {{ raw('orders') }}

        """

    static let lines = """
        -- energize: materialized=view
        -- One row per element of orders.lines, line_number 1-based. The contract lets a whole
        -- number be written 2.0, hence numeric before integer.
        SELECT o.order_id, l.line_number::integer AS line_number, l.line->>'product' AS product,
          (l.line->>'quantity')::numeric::integer AS quantity, (l.line->>'price')::numeric(14,2) AS price
        FROM {{ raw('orders') }} o CROSS JOIN LATERAL jsonb_array_elements(o.lines) WITH ORDINALITY AS l(line, line_number)

        """

    static let daily = """
        -- energize: materialized=table
        -- Revenue of completed orders per day (in the project's time zone).
        SELECT (o.ordered_at AT TIME ZONE {{ var('time_zone') }})::date AS day, count(DISTINCT o.order_id) AS orders,
          sum(l.quantity * l.price) AS revenue
        FROM {{ ref('stg_orders') }} o JOIN {{ ref('stg_order_lines') }} l ON l.order_id = o.order_id
        WHERE o.status = 'completed'
        GROUP BY 1

        """

    static let schema = """
        # Descriptions and data tests of the models (like dbt's schema.yml).
        # Column tests: unique, not_null, accepted_values {values}, relationships {to, field};
        # model tests: unique {columns}, scd2_integrity; every test takes `where:`.
        models:
          - name: stg_orders
            description: One row per order.
            columns:
              - name: order_id
                description: The order's key.
                tests: [unique, not_null]
              - name: status
                tests:
                  - accepted_values: {values: [open, completed, cancelled]}
          - name: stg_order_lines
            description: One row per order line.
            columns:
              - name: order_id
                tests:
                  - relationships: {to: stg_orders, field: order_id}
            tests:
              - unique: {columns: [order_id, line_number]}
          - name: daily_revenue
            description: Completed orders and their revenue per day.
            columns:
              - name: day
                tests: [unique, not_null]

        """

    static let test = """
        -- A data test of the project's own: the rows it returns are failures.
        SELECT day, revenue FROM {{ ref('daily_revenue') }} WHERE revenue < 0

        """

    static let seeds = """
        {"_id": {"$oid": "65a000000000000000000001"}, "order_id": "O-1", "customer": {"id": "C-1", "city": "Recife"}, "lines": [{"product": "P-1", "quantity": 2.0, "price": 10.5}], "status": "completed", "ordered_at": {"$date": "2026-01-05T10:00:00Z"}, "updated_at": {"$date": "2026-01-05T10:00:00Z"}}
        {"_id": {"$oid": "65a000000000000000000002"}, "order_id": "O-2", "customer": {"id": "C-2"}, "lines": [{"product": "P-1", "quantity": 1, "price": 10.5}, {"product": "P-2", "quantity": 3, "price": 4}], "status": "open", "ordered_at": {"$date": "2026-01-05T12:30:00Z"}, "updated_at": {"$date": "2026-01-06T08:00:00Z"}}
        {"_id": {"$oid": "65a000000000000000000003"}, "order_id": "O-3", "customer": {"id": "C-1", "city": "Recife"}, "lines": [], "status": "completed", "ordered_at": {"$date": "2026-01-06T09:15:00Z"}, "updated_at": {"$date": "2026-01-06T09:15:00Z"}}

        """
}
