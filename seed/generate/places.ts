import type { Sector } from '../../lib/domain.js';
import type { Random } from '../random.js';
import type { Modality } from '../vocabulary.js';
import type { GeoPoint } from '../world.js';

/**
 * Synthetic geography. Sector names are the real Border Patrol sectors; every station,
 * facility and route name is invented, and coordinates are drawn inside a rough box north of
 * each sector's stretch of border: plausible on a map, describing nothing real.
 */

interface SectorArea {
  /** Latitude of the border line (roughly) and the longitudes the sector spans. */
  readonly borderLat: number;
  readonly west: number;
  readonly east: number;
  readonly stations: readonly string[];
  readonly modalities: Readonly<Partial<Record<Modality, number>>>;
}

export const SECTOR_AREAS: Readonly<Record<Sector, SectorArea>> = {
  TUCSON: {
    borderLat: 31.34,
    west: -112.6,
    east: -109.2,
    stations: ['Ironwood Pass Station', 'Saguaro Gap Station', 'Cholla Flats Station'],
    modalities: { FOOT: 6, VEHICLE: 3, TUNNEL: 1 },
  },
  RGV: {
    borderLat: 26.06,
    west: -99.1,
    east: -97.3,
    stations: ['Mesquite Bend Station', 'Resaca Verde Station', 'Palmito Crossing Station'],
    modalities: { FOOT: 5, VEHICLE: 3, MARITIME: 2 },
  },
  EL_PASO: {
    borderLat: 31.4,
    west: -108.2,
    east: -106.2,
    stations: ['Yucca Mesa Station', 'Caliche Draw Station'],
    modalities: { FOOT: 5, VEHICLE: 4, TUNNEL: 1 },
  },
  SAN_DIEGO: {
    borderLat: 32.55,
    west: -117.1,
    east: -116.2,
    stations: ['Chaparral Ridge Station', 'Sage Canyon Station', 'Coastal Bluff Station'],
    modalities: { FOOT: 4, VEHICLE: 2, MARITIME: 2, TUNNEL: 2 },
  },
};

export interface Facility {
  readonly name: string;
  readonly sector: Sector;
}

/** ICE detention and processing facilities (fictional), by the sector they sit in. */
export const ICE_FACILITIES: readonly Facility[] = [
  { name: 'Saguaro Valley Processing Center', sector: 'TUCSON' },
  { name: 'Red Rock Staging Facility', sector: 'TUCSON' },
  { name: 'Mesquite Flats Detention Facility', sector: 'RGV' },
  { name: 'Rio Bravo Processing Center', sector: 'RGV' },
  { name: 'Chihuahuan Desert Detention Facility', sector: 'EL_PASO' },
  { name: 'Coastal Sage Detention Facility', sector: 'SAN_DIEGO' },
];

export const facilitySector = (name: string): Sector | undefined =>
  ICE_FACILITIES.find((facility) => facility.name === name)?.sector;

/** Usually a facility in the same sector; sometimes one elsewhere (bed space). */
export function drawFacility(random: Random, sector: Sector, except?: string): Facility {
  const candidates = ICE_FACILITIES.filter((facility) => facility.name !== except);
  const near = candidates.filter((facility) => facility.sector === sector);
  return random.pick(near.length > 0 && random.chance(0.8) ? near : candidates);
}

// Math.round rather than toFixed: this runs for every coordinate of a large world.
const round = (value: number, digits: number): number => {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
};

/**
 * Precise waypoints from just north of the border inland. Maritime routes start offshore and
 * run up the coast.
 */
export function drawWaypoints(random: Random, sector: Sector, modality: Modality): GeoPoint[] {
  const area = SECTOR_AREAS[sector];
  const count = modality === 'TUNNEL' ? random.int(2, 3) : random.int(4, 8);
  let lat = area.borderLat + (modality === 'MARITIME' ? -0.12 : random.float(0.005, 0.03));
  let lon = modality === 'MARITIME' ? (sector === 'SAN_DIEGO' ? -117.28 : -97.16) : random.float(area.west, area.east);
  const points: GeoPoint[] = [];
  for (let i = 0; i < count; i += 1) {
    points.push({ lat: round(lat, 5), lon: round(lon, 5) });
    const step = modality === 'TUNNEL' ? 0.004 : 0.1;
    lat += random.float(step * 0.3, step);
    lon += random.float(-step * 0.4, step * 0.4);
  }
  return points;
}

/** The coarse path: waypoints rounded to 0.1 degree (about 10 km), repeats dropped. */
export function coarsePath(waypoints: readonly GeoPoint[]): GeoPoint[] {
  const path: GeoPoint[] = [];
  for (const point of waypoints) {
    const coarse = { lat: round(point.lat, 1), lon: round(point.lon, 1) };
    const last = path[path.length - 1];
    if (last === undefined || last.lat !== coarse.lat || last.lon !== coarse.lon) path.push(coarse);
  }
  return path;
}

/** A point near one of the waypoints (a few hundred metres off the track). */
export function near(random: Random, waypoints: readonly GeoPoint[], digits: number): GeoPoint {
  const anchor = random.pick(waypoints);
  return { lat: round(anchor.lat + random.float(-0.01, 0.01), digits), lon: round(anchor.lon + random.float(-0.01, 0.01), digits) };
}
