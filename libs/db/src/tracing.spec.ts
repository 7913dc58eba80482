import { describe, expect, it } from 'vitest';
import { describeStatement } from './tracing';

describe(describeStatement.name, () => {
  it('names a statement by its operation and the first table it names', () => {
    expect(describeStatement('insert into "outbox" ("subject") values ($1)')).toEqual({ operation: 'INSERT', table: 'outbox' });
    expect(describeStatement('update "clients" set "version" = $1')).toEqual({ operation: 'UPDATE', table: 'clients' });
    expect(describeStatement('select "id" from "clients" where "id" = $1')).toEqual({ operation: 'SELECT', table: 'clients' });
    expect(describeStatement('delete from "outbox" where "id" in ($1)')).toEqual({ operation: 'DELETE', table: 'outbox' });
    expect(describeStatement('\n  select 1')).toEqual({ operation: 'SELECT', table: undefined });
  });
});
