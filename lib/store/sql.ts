/**
 * A composable SQL fragment: text with `$n` placeholders and the values that fill them.
 * Built only through the `sql` tag, so a value can never be spliced into SQL text: ids
 * shaped like injections stay values and simply match nothing.
 */
export interface Sql {
  readonly text: string;
  readonly values: readonly unknown[];
}

const FRAGMENT = Symbol('sql-fragment');
interface Fragment extends Sql {
  readonly [FRAGMENT]: true;
  /** Text with `\u0000n` markers that `renumber` turns into `$n` once the final order is known. */
  readonly parts: readonly string[];
  readonly params: readonly unknown[];
}

const isFragment = (value: unknown): value is Fragment =>
  typeof value === 'object' && value !== null && FRAGMENT in value;

function build(parts: readonly string[], params: readonly unknown[]): Fragment {
  let text = parts[0] ?? '';
  for (let i = 1; i < parts.length; i += 1) text += `$${i}${parts[i] ?? ''}`;
  return { [FRAGMENT]: true, parts, params, text, values: params };
}

/** `sql\`select * from t where id = ${id} and ${otherFragment}\`` */
export function sql(strings: TemplateStringsArray, ...args: readonly unknown[]): Sql {
  const parts: string[] = [strings[0] ?? ''];
  const params: unknown[] = [];
  args.forEach((arg, i) => {
    const next = strings[i + 1] ?? '';
    if (isFragment(arg)) {
      // Splice the fragment's parts in, continuing the current text part.
      parts[parts.length - 1] += arg.parts[0] ?? '';
      for (let j = 1; j < arg.parts.length; j += 1) parts.push(arg.parts[j] ?? '');
      params.push(...arg.params);
      parts[parts.length - 1] += next;
    } else {
      params.push(arg);
      parts.push(next);
    }
  });
  return build(parts, params);
}

/** Trusted SQL text (identifiers, keywords): never pass user input here. */
export function raw(text: string): Sql {
  return build([text], []);
}

export function join(fragments: readonly Sql[], separator = ', '): Sql {
  if (fragments.length === 0) return raw('');
  let result = fragments[0] as Sql;
  for (const fragment of fragments.slice(1)) result = sql`${result}${raw(separator)}${fragment}`;
  return result;
}

/**
 * `$1, $2, ...`: each value its own parameter, in linear time (`join` re-splices per fragment,
 * quadratic in their number; the audit writer sends one parameter per event, thousands at once).
 */
export function list(values: readonly unknown[], separator = ', '): Sql {
  if (values.length === 0) return raw('');
  return build(['', ...values.slice(1).map(() => separator), ''], values);
}

/** `a AND b AND ...`, or TRUE for none. */
export const and = (conditions: readonly Sql[]): Sql =>
  conditions.length === 0 ? raw('TRUE') : sql`(${join(conditions, ') AND (')})`;

/** `a OR b OR ...`, or FALSE for none: deny by default. */
export const or = (conditions: readonly Sql[]): Sql =>
  conditions.length === 0 ? raw('FALSE') : sql`(${join(conditions, ') OR (')})`;
