/// The commented starter `energize.yml` that `energize init` writes, for the EnergizeTech contract.
public enum StarterConfig {
    public static let text = """
        # energize.yml — one pipeline: MongoDB → PostgreSQL, then the warehouse models.
        # Connection strings may also come from ENERGIZE_MONGO_URI / ENERGIZE_PG_URI (they win).
        pipeline: energizetech            # names the lock, the run history and the watermarks

        source:
          # mongo_uri: mongodb://user:password@host:27017/?authSource=admin
          database: energizetech
          page_size: 0                    # 0: one cursor per collection; N: _id range pages of N
          # dump_folder: dump/energizetech  # read a mongodump folder instead (.bson or .bson.gz)

        destination:
          # pg_uri: postgresql://user:password@host:5432/warehouse
          raw_schema: public              # raw tables and _rejects
          meta_schema: energize_meta      # run history, watermarks, data-test results

        # strategy: replace | append | merge (key) | incremental (key, cursor, lookback)
        # contract: energizetech (the source contract's required fields) | none
        streams:
          - {name: customers, strategy: replace, contract: energizetech}
          - {name: products, strategy: replace, contract: energizetech}
          - {name: stores, strategy: replace, contract: energizetech}
          - {name: sales, strategy: incremental, key: sale_id, cursor: updated_at, lookback: 7d, contract: energizetech}
          - {name: transactions, strategy: incremental, key: transaction_id, cursor: updated_at, lookback: 7d, contract: energizetech}

        transform:
          enabled: true                   # build staging, dimensions, facts and marts after the load
          # models_dir: models            # your own .sql models (docs/warehouse.md)

        schedule:                         # for `energize schedule`: a cron expression (UTC) or an interval
          cron: "0 3 * * *"
          # interval: 1h

        retries:                          # per stream, transient failures only (connection refused, restarts)
          attempts: 3
          initial_delay: 10s              # doubled each time, up to max_delay, with jitter
          max_delay: 10m
          jitter: 0.2

        lock:
          wait: false                     # another run holds the pipeline: exit (false), wait (true) or wait up to e.g. 30m

        concurrency: 2                    # streams loaded at the same time
        batch_size: 5000
        # max_reject_ratio: 0.05          # exit 3 when a stream rejects more than 5% of its documents

        """
}
