/**
 * The coordinator's persistence: the `CoordinatorStore` interface and its row types, and the SQLite
 * implementation with its schema migrations.
 */
export * from "./types";
export { openSqliteStore, SqliteStore, RowNotFoundError, DuplicateTxError, type SqliteStoreOptions } from "./sqlite";
export { MIGRATIONS, LATEST_VERSION, SchemaVersionError, applyMigrations, type Migration } from "./migrations";
