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

/**
 * Appends `arg` to `parts`/`params`, as the `sql` tag places an argument: a fragment's text is
 * spliced in (continuing the current text part), anything else becomes a parameter.
 */
function append(parts: string[], params: unknown[], arg: unknown): void {
  if (isFragment(arg)) {
    parts[parts.length - 1] += arg.parts[0] ?? '';
    for (let j = 1; j < arg.parts.length; j += 1) parts.push(arg.parts[j] ?? '');
    params.push(...arg.params);
  } else {
    params.push(arg);
    parts.push('');
  }
}

/** `sql\`select * from t where id = ${id} and ${otherFragment}\`` */
export function sql(strings: TemplateStringsArray, ...args: readonly unknown[]): Sql {
  const parts: string[] = [strings[0] ?? ''];
  const params: unknown[] = [];
  args.forEach((arg, i) => {
    append(parts, params, arg);
    parts[parts.length - 1] += strings[i + 1] ?? '';
  });
  return build(parts, params);
}

/** Trusted SQL text (identifiers, keywords): never pass user input here. */
export function raw(text: string): Sql {
  return build([text], []);
}

/**
 * `items` in order with `separator` between them, each placed as the `sql` tag places an
 * argument; one pass, linear in their number (splicing them pairwise re-copied the text and
 * values built so far at every step: quadratic, and the audit writer joins thousands).
 */
function spliced(items: readonly unknown[], separator: string): Sql {
  const parts: string[] = [''];
  const params: unknown[] = [];
  items.forEach((item, i) => {
    if (i > 0) parts[parts.length - 1] += separator;
    append(parts, params, item);
  });
  return build(parts, params);
}

/** Fragments separated by `separator` (`, ` by default); empty SQL for none. */
export const join = (fragments: readonly Sql[], separator = ', '): Sql => spliced(fragments, separator);

/** `$1, $2, ...`: each value its own parameter (the audit writer's one parameter per event). */
export const list = (values: readonly unknown[], separator = ', '): Sql => spliced(values, separator);

/** `a AND b AND ...`, or TRUE for none. */
export const and = (conditions: readonly Sql[]): Sql =>
  conditions.length === 0 ? raw('TRUE') : sql`(${join(conditions, ') AND (')})`;

/** `a OR b OR ...`, or FALSE for none: deny by default. */
export const or = (conditions: readonly Sql[]): Sql =>
  conditions.length === 0 ? raw('FALSE') : sql`(${join(conditions, ') OR (')})`;
