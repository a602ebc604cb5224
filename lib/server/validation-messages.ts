/**
 * Production only (SPEC 8: introspection is off there): graphql-js's validation and variable
 * coercion messages name the schema's types, which lets a caller recover the schema one probe
 * at a time without introspection. Each rewrite below drops the names of types the client did
 * not write and keeps what a legitimate client needs to fix its operation: the field, argument,
 * variable and value names it wrote itself, and the error's `locations`.
 *
 * Rewritten (graphql-js 16 wording → ours):
 *   - `Field "f" of type "T!" must have a selection of subfields.` → `Field "f" needs a selection of subfields.`
 *   - `Field "f" must not have a selection since type "T" has no subfields.` → `Field "f" takes no selection of subfields.`
 *   - `Cannot query field "f" on type "T".` → `Cannot query field "f" here.`
 *   - `Unknown argument "a" on field "T.f".` → `Unknown argument "a" on field "f".`
 *   - `Field "f" argument "a" of type "T!" is required, but it was not provided.` (and the
 *     directive form) → the same without `of type "T!"`
 *   - `Field "T.f" of required type "T!" was not provided.` (input fields, in literals and in
 *     variables) → `Input field "f" is required but was not provided.`
 *   - `Field "f" is not defined by type "T".` → `Input field "f" is not defined here.`
 *   - `Value "X" does not exist in "E" enum.` and `Enum "E" cannot represent non-enum value: X.`
 *     → `Value "X" is not allowed here.`
 *   - `Expected value of type "T", found X.` → `Value X is not allowed here.`
 *   - `Expected type "T" to be an object.` → `Expected an object.`; `Expected type "T".` →
 *     `Expected a value of another type.`
 *   - `Variable "$v" of type "A" used in position expecting type "B".` → `Variable "$v" of type "A"
 *     cannot be used in this position.`
 *   - `Fragment "F" cannot be spread here as objects of type "A" can never be of type "B".` →
 *     `Fragment "F" cannot be spread here.`
 *   - `... they return conflicting types "A" and "B" ...` → `... they return conflicting types ...`
 *   - `Argument "a" of required type "T!" was provided the variable "$v" which was not provided a
 *     runtime value.` and `Argument "a" of non-null type "T!" must not be null.` → without the type
 *
 * Kept, and why:
 *   - Messages that name only what the client wrote: `Unknown type "X".` (its own variable type
 *     or fragment condition), `Variable "$v" cannot be non-input type "X".`, `Variable "$v" of
 *     required type "X!" was not provided.`, `Fragment cannot condition on non composite type
 *     "X".`, `Unknown fragment`, `Unknown directive`, unused or undefined variables. That `Unknown
 *     type` answers whether a type name exists stays: telling a client which of its own words is
 *     wrong is what it needs, and the names of types are no secret worth breaking clients for.
 *   - The built-in scalars' coercion messages (`Int cannot represent non-integer value: "x"`):
 *     `Int`, `String`, `Boolean`, `ID`, `Float` are every schema's.
 *   - Syntax errors, operation-level messages (anonymous operations, subscriptions), and our own
 *     BAD_USER_INPUT messages, which name the argument as written (argument-checks.ts).
 *   - "Did you mean" suggestions are removed in every environment (mask-errors.ts).
 */
const REWRITES: readonly (readonly [RegExp, string])[] = [
  [/^Field "([^"]+)" of type "[^"]+" must have a selection of subfields\.?.*$/s, 'Field "$1" needs a selection of subfields.'],
  [/^Field "([^"]+)" must not have a selection since type "[^"]+" has no subfields\./, 'Field "$1" takes no selection of subfields.'],
  [/^Cannot query field "([^"]+)" on type "[^"]+"\./, 'Cannot query field "$1" here.'],
  [/^Unknown argument "([^"]+)" on field "[^"]*\.([^".]+)"\./, 'Unknown argument "$1" on field "$2".'],
  [/^(Field|Directive) "([^"]+)" argument "([^"]+)" of type "[^"]+" is required, but it was not provided\./, '$1 "$2" argument "$3" is required, but it was not provided.'],
  [/Field "(?:[^".]+\.)?([^"]+)" of required type "[^"]+" was not provided\./g, 'Input field "$1" is required but was not provided.'],
  [/Field "([^"]+)" is not defined by type "[^"]+"\./g, 'Input field "$1" is not defined here.'],
  [/Value "([^"]*)" does not exist in "[^"]+" enum\./g, 'Value "$1" is not allowed here.'],
  [/Enum "[^"]+" cannot represent non-(?:enum|string) value: (.+?)\.$/s, 'Value $1 is not allowed here.'],
  [/Expected value of type "[^"]+", found (.+?)(;|\.$)/s, 'Value $1 is not allowed here$2'],
  [/Expected type "[^"]+" to be an object\./g, 'Expected an object.'],
  [/Expected type "[^"]+"\./g, 'Expected a value of another type.'],
  [/^Variable "(\$[^"]+)" of type "([^"]+)" used in position expecting type "[^"]+"\./, 'Variable "$1" of type "$2" cannot be used in this position.'],
  [/^Fragment (?:"([^"]+)" )?cannot be spread here as objects of type "[^"]+" can never be of type "[^"]+"\./, 'Fragment "$1" cannot be spread here.'],
  [/they return conflicting types "[^"]+" and "[^"]+"/g, 'they return conflicting types'],
  [/^Argument "([^"]+)" of (?:required|non-null) type "[^"]+" (was provided the variable|must not be null)/, 'Argument "$1" $2'],
];

/** The message with the schema's type names taken out (see above); other messages as they are. */
export function genericValidationMessage(message: string): string {
  let result = message;
  for (const [pattern, replacement] of REWRITES) result = result.replace(pattern, replacement);
  // An inline fragment has no name to keep.
  return result.replace('Fragment "" cannot', 'Fragment cannot');
}
