import { json } from '../../lib/store/row.js';
import type { Row } from '../../lib/store/store.js';

/**
 * The jsonb columns of `cbp.routes`, narrowed from `unknown` to the shapes of the SDL. A value
 * of the wrong shape is a bug in a migration or the seed, not a client error: it throws (and is
 * masked for the client), rather than reaching a map half-drawn.
 */

export interface GeoPoint {
  readonly lat: number;
  readonly lon: number;
}

/** TACTICAL: a tower, sensor, camera or aerostat watching the route. */
export interface SurveillanceAsset {
  readonly kind: string;
  readonly label: string | null;
  readonly position: GeoPoint | null;
}

/** HUMANITARIAN: heat, water stations, rescue beacons, rescues along the route. */
export interface Hazard {
  readonly kind: string;
  readonly description: string | null;
  readonly position: GeoPoint | null;
  readonly observedAt: Date | null;
}

/** `path` and `waypoints`: `[{lat, lon}]`. */
export function readGeoPoints(row: Row, column: string): GeoPoint[] {
  return jsonArray(row, column).map((item, i) => {
    const point = positionOf(item, `${column}[${i}]`);
    if (!point) fail(`${column}[${i}]`, 'lat and lon', item);
    return point;
  });
}

/** `surveillance_assets`: `[{kind, label, lat, lon}]`. */
export function readSurveillanceAssets(row: Row, column: string): SurveillanceAsset[] {
  return jsonArray(row, column).map((item, i) => {
    const at = `${column}[${i}]`;
    const object = jsonObject(item, at);
    return { kind: requiredString(object, 'kind', at), label: optionalString(object, 'label', at), position: positionOf(object, at) };
  });
}

/** `hazards`: `[{kind, description, lat, lon, observedAt}]`. */
export function readHazards(row: Row, column: string): Hazard[] {
  return jsonArray(row, column).map((item, i) => {
    const at = `${column}[${i}]`;
    const object = jsonObject(item, at);
    const observed = optionalString(object, 'observedAt', at);
    const observedAt = observed === null ? null : new Date(observed);
    if (observedAt !== null && Number.isNaN(observedAt.getTime())) fail(`${at}.observedAt`, 'an ISO timestamp', observed);
    return {
      kind: requiredString(object, 'kind', at),
      description: optionalString(object, 'description', at),
      position: positionOf(object, at),
      observedAt,
    };
  });
}

type JsonObject = Readonly<Record<string, unknown>>;

function fail(at: string, expected: string, value: unknown): never {
  throw new TypeError(`Column ${at}: expected ${expected}, got ${value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value}`);
}

function jsonArray(row: Row, column: string): readonly unknown[] {
  const value = json(row, column);
  return Array.isArray(value) ? (value as readonly unknown[]) : fail(column, 'a jsonb array', value);
}

function jsonObject(value: unknown, at: string): JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : fail(at, 'an object', value);
}

function requiredString(object: JsonObject, key: string, at: string): string {
  const value = object[key];
  return typeof value === 'string' && value !== '' ? value : fail(`${at}.${key}`, 'a non-empty string', value);
}

function optionalString(object: JsonObject, key: string, at: string): string | null {
  const value = object[key];
  if (value === undefined || value === null) return null;
  return typeof value === 'string' ? value : fail(`${at}.${key}`, 'a string', value);
}

/** `{lat, lon}` on the object itself; both absent reads as no position. */
function positionOf(value: unknown, at: string): GeoPoint | null {
  const object = jsonObject(value, at);
  if (object.lat === undefined && object.lon === undefined) return null;
  const { lat, lon } = object;
  if (typeof lat !== 'number' || !Number.isFinite(lat) || lat < -90 || lat > 90) fail(`${at}.lat`, 'a latitude', lat);
  if (typeof lon !== 'number' || !Number.isFinite(lon) || lon < -180 || lon > 180) fail(`${at}.lon`, 'a longitude', lon);
  return { lat, lon };
}
