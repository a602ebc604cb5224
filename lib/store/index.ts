export { sql, raw, join, and, or } from './sql.js';
export type { Sql } from './sql.js';
export type { Store, Queryable, Row } from './store.js';
export { openStore } from './open.js';
export type { StoreSettings } from './open.js';
export { openPostgres } from './postgres.js';
export { openPglite } from './pglite.js';
export { migrate, loadMigrations } from './migrate.js';
