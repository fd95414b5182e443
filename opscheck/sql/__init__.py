"""Named SQL: one file a query (`NAME.sql`), and queries.py, which renders them and declares their shapes."""
