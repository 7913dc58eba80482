import { type Query, sql, type SQL } from 'drizzle-orm';
import { PgDialect, type PgColumn, type SelectedFieldsOrdered } from 'drizzle-orm/pg-core';
import type { Db } from './database';

const dialect = new PgDialect();

type Columns = Record<string, PgColumn>;

/** A row of `C`'s columns as their decoders give them, null where the column allows it. */
export type RowOf<C extends Columns> = {
  [K in keyof C]: C[K]['_']['notNull'] extends true ? C[K]['_']['data'] : C[K]['_']['data'] | null;
};

/**
 * A statement of the API's hot paths whose SQL is rendered once per process and sent as a
 * prepared statement on whichever connection runs it: the pool's or a transaction's.
 *
 * drizzle's own `.prepare(name)` builds the SQL again each time a statement is made for a
 * transaction, and a statement without a name is sent unprepared (parsed and planned by the
 * server on every call, in two round trips). Here the rendered text is kept, and each call only
 * hands it to the connection's driver, which prepares it once per connection (postgres.js keys
 * its prepared statements by the text) and maps the row through the columns' decoders.
 * Placeholders (`sql.placeholder('id')`) take the call's values; cast each one in the SQL, so
 * that the server knows its type wherever it stands.
 */
export class PreparedStatement<C extends Columns, Row = RowOf<C>> {
  private rendered: Query | undefined;
  private readonly fields: SelectedFieldsOrdered;

  /** `columns`: what each returned column is, in the order of the statement's select or returning list. */
  constructor(
    private readonly name: string,
    private readonly build: () => SQL,
    columns: C,
  ) {
    this.fields = Object.entries(columns).map(([key, column]) => ({ path: [key], field: column }));
  }

  async rows(db: Db, values: Record<string, unknown>): Promise<Row[]> {
    this.rendered ??= dialect.sqlToQuery(this.build());
    return db._.session
      .prepareQuery<{ execute: Row[]; all: unknown; values: unknown }>(this.rendered, this.fields, this.name, false)
      .execute(values);
  }

  async row(db: Db, values: Record<string, unknown>): Promise<Row | undefined> {
    const [row] = await this.rows(db, values);
    return row;
  }
}

/** The names of `columns` as a select or returning list, in their order. */
export function columnList(columns: Columns): SQL {
  return sql.join(
    Object.values(columns).map((column) => sql.identifier(column.name)),
    sql`, `,
  );
}
