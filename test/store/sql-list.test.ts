import { describe, expect, it } from 'vitest';
import { join, list, sql } from '../../lib/store/index.js';

/** `list`: one parameter per value, numbered in place wherever it is spliced (the audit append's items). */
describe('list', () => {
  it('numbers its values after the parameters before it and before the ones after it', () => {
    const statement = sql`SELECT f(${'a'}, ARRAY[${list(['x', 'y', 'z'])}]::text[], ${7})`;
    expect(statement.text).toBe('SELECT f($1, ARRAY[$2, $3, $4]::text[], $5)');
    expect(statement.values).toEqual(['a', 'x', 'y', 'z', 7]);
  });

  it('gives what join of one fragment per value gives, for any count', () => {
    for (const count of [1, 2, 5, 300]) {
      const values = Array.from({ length: count }, (_, i) => `v${i}"\\`);
      const viaList = sql`(${list(values)})`;
      const viaJoin = sql`(${join(values.map((value) => sql`${value}`))})`;
      expect(viaList.text).toBe(viaJoin.text);
      expect(viaList.values).toEqual(viaJoin.values);
    }
  });

  it('is empty for no values', () => {
    expect(sql`ARRAY[${list([])}]`).toMatchObject({ text: 'ARRAY[]', values: [] });
  });
});
