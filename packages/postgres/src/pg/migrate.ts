/**
 * Creates and migrates the schema. Versions are applied in order, each once, inside one
 * transaction that holds the schema's migration lock, so that processes connecting at
 * the same moment neither race nor apply a step twice. A database migrated by a newer
 * package (a higher version than this one knows) is refused rather than misread.
 */
import type { ClientBase } from 'pg';
import { protocol } from './protocol.js';
import { schemaV1, schemaV2, schemaV3 } from './schema.js';
import { ident } from './sql-text.js';

/** The layout version this package writes and reads. */
export const SCHEMA_VERSION = 3;

/** The table changes of each version; the functions are replaced as a whole after them. */
const steps: ReadonlyArray<(schema: string) => string> = [
  // 1: the tables.
  schemaV1,
  // 2: objects.multi, for per-object locking.
  schemaV2,
  // 3: reader-writer locks, and the ages of holders and waits.
  schemaV3,
];

/** Drops every function of the schema (a new protocol may change their signatures). */
function dropFunctions(schema: string): string {
  return `do $$ declare f regprocedure; begin
  for f in select p.oid::regprocedure from pg_proc p where p.pronamespace = (select oid from pg_namespace where nspname = ${literal(schema)}) loop
    execute 'drop function ' || f;
  end loop;
end $$;`;
}

function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/**
 * The schema is newer than this package: upgrade the package. `code: 'ERR_WAITABLES_SCHEMA_VERSION'`.
 * @example
 * ```ts
 * await connect(url).catch((e) => { if (e instanceof SchemaVersionError) console.error(e.found, '>', e.supported); throw e; });
 * ```
 */
export class SchemaVersionError extends Error {
  /** Always `'ERR_WAITABLES_SCHEMA_VERSION'`. */
  readonly code = 'ERR_WAITABLES_SCHEMA_VERSION';
  constructor(
    /** The version the database's schema is at (written by a newer package). */
    readonly found: number,
    /** The highest version this package knows: {@link SCHEMA_VERSION}. */
    readonly supported: number,
  ) {
    super(`the waitables schema is at version ${found}; this package knows versions up to ${supported}`);
    this.name = 'SchemaVersionError';
  }
}

export async function migrate(client: ClientBase, schema: string, key: number): Promise<void> {
  const s = ident(schema);
  await client.query('begin');
  try {
    // Durable before anyone is granted anything: the fences' epoch row starts here.
    await client.query('set local synchronous_commit = on');
    // Migration lock (-1): session ids are positive and 0 is the transition lock.
    await client.query(`select pg_advisory_xact_lock(${key}, -1)`);
    await client.query(`create schema if not exists ${s}`);
    await client.query(`create table if not exists ${s}.meta (version int not null)`);
    const { rows } = await client.query<{ version: number }>(`select version from ${s}.meta`);
    let version = rows[0]?.version ?? 0;
    if (rows.length === 0) await client.query(`insert into ${s}.meta (version) values (0)`);
    if (version > SCHEMA_VERSION) throw new SchemaVersionError(version, SCHEMA_VERSION);
    if (version < SCHEMA_VERSION) {
      for (; version < SCHEMA_VERSION; version++) await client.query(steps[version]!(schema));
      await client.query(dropFunctions(schema));
      await client.query(protocol(schema, key));
      await client.query(`update ${s}.meta set version = $1`, [version]);
    }
    await client.query('commit');
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  }
}
