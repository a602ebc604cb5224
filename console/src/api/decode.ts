/**
 * Answers from the gateway enter as `unknown` and are narrowed here, once: a shape the console
 * does not expect is reported as such instead of rendering `undefined`.
 */
export class DecodeError extends Error {
  override readonly name = 'DecodeError';
}

export type JsonObject = Readonly<Record<string, unknown>>;

export function object(value: unknown, where: string): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new DecodeError(`${where}: expected an object`);
  return value as JsonObject;
}

export function str(o: JsonObject, key: string, where: string): string {
  const value = o[key];
  if (typeof value !== 'string') throw new DecodeError(`${where}.${key}: expected a string`);
  return value;
}

export function optStr(o: JsonObject, key: string, where: string): string | null {
  const value = o[key];
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string') throw new DecodeError(`${where}.${key}: expected a string or null`);
  return value;
}

export function int(o: JsonObject, key: string, where: string): number {
  const value = o[key];
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new DecodeError(`${where}.${key}: expected a whole number`);
  return value;
}

export function bool(o: JsonObject, key: string, where: string): boolean {
  const value = o[key];
  if (typeof value !== 'boolean') throw new DecodeError(`${where}.${key}: expected true or false`);
  return value;
}

export function strList(o: JsonObject, key: string, where: string): readonly string[] {
  const value = o[key];
  if (!Array.isArray(value) || !value.every((item: unknown) => typeof item === 'string')) throw new DecodeError(`${where}.${key}: expected a list of strings`);
  return value as readonly string[];
}

export function list<T>(o: JsonObject, key: string, where: string, item: (value: unknown, where: string) => T): readonly T[] {
  const value = o[key];
  if (!Array.isArray(value)) throw new DecodeError(`${where}.${key}: expected a list`);
  return value.map((element: unknown, i) => item(element, `${where}.${key}[${i}]`));
}

export function oneOf<T extends string>(o: JsonObject, key: string, where: string, allowed: readonly T[]): T {
  const value = str(o, key, where);
  if (!(allowed as readonly string[]).includes(value)) throw new DecodeError(`${where}.${key}: unexpected value ${JSON.stringify(value)}`);
  return value as T;
}
