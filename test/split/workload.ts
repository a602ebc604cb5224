import type { Purpose } from '../../lib/domain.js';
import type { PersonaName } from '../../lib/identity/index.js';
import { isObject, type GraphQLBody } from '../support/http-client.js';

/**
 * The split deployment's load: every kind of user of SPEC 2 (each persona), reading every root
 * field of the supergraph between them, and a few writes. Ids are the seed's (`SEED_SCALE=small`).
 */
export interface Work {
  readonly persona: PersonaName;
  readonly purpose: Purpose;
  readonly query: string;
  /** Audit reads answer with audit entries (ids of entries, not of records): not records to trace. */
  readonly releasesRecords: boolean;
}

const reads = (persona: PersonaName, purpose: Purpose, query: string): Work => ({ persona, purpose, query, releasesRecords: true });

export const WORKLOAD: readonly Work[] = [
  reads('cbp-agent', 'INTERDICTION', '{ routes(first: 10) { edges { node { id name sector hazards { kind } } } } encounters(first: 10) { edges { node { id station disposition } } } }'),
  reads('cbp-analyst', 'INTERDICTION', '{ networks(first: 5) { totalCount edges { node { id name threatLevel routes { id name } } } } route(id: "R-0001") { id name } network(id: "N-0001") { id name } }'),
  reads('cbp-rgv-agent', 'INTERDICTION', '{ encounter(id: "E-000002") { id station } encounters(first: 5) { totalCount edges { node { id sector } } } }'),
  reads('ice-officer', 'CUSTODY_TRANSFER', '{ transfers(first: 20) { totalCount edges { node { id status toFacility person { id name } } } } transfer(id: "T-000001") { id status } }'),
  reads('ice-analyst', 'INVESTIGATION', '{ person(id: "P-000010") { id name } transfers(first: 10) { edges { node { id status person { id name encounters { id station } } } } } }'),
  reads('ice-medical', 'CUSTODY_TRANSFER', '{ transfers(first: 10) { edges { node { id status } } } }'),
  reads('partner-saguaro', 'CUSTODY_TRANSFER', '{ bookings(first: 10) { edges { node { id county detainerStatus } } } booking(id: "B-000001") { id county } }'),
  reads('partner-mesquite', 'INVESTIGATION', '{ bookings(first: 10) { totalCount edges { node { id county } } } }'),
  reads('ngo-legal', 'LEGAL_SERVICES', '{ referrals(first: 5) { edges { node { id service status notes } } } referral(id: "RF-000001") { id status } }'),
  reads('ngo-shelter', 'HUMANITARIAN', '{ providers(first: 5) { edges { node { id name capacity bedsAvailable } } } routes(first: 5) { edges { node { id hazards { kind } } } } }'),
  reads('ngo-medical', 'HUMANITARIAN', '{ referrals(first: 5) { totalCount edges { node { id service } } } providers(first: 3) { edges { node { id name } } } }'),
  {
    persona: 'auditor',
    purpose: 'OVERSIGHT_AUDIT',
    query:
      '{ accessLog(first: 10) { edges { node { id action decision recordType } } } auditCheckpoints { chain entryCount } accessesPerOrgPerDay { org day count } denialsByRule { rule count } redactionsByCategory { category count } personAccessHistory(personId: "P-000010", first: 5) { totalCount } }',
    releasesRecords: false,
  },
  { persona: 'auditor', purpose: 'OVERSIGHT_AUDIT', query: '{ auditChainStatus { valid checkedEntries } auditAnomalies { kind subjectSub } }', releasesRecords: false },
  // Writes: someone CBP cannot read yet is recorded by the identity the agent holds, and a partner's booking.
  reads('cbp-agent', 'INTERDICTION', 'mutation { recordEncounter(input: { subject: { name: "Split Subject" }, sector: TUCSON, station: "Ajo", disposition: RELEASED }) { id station } }'),
  reads('partner-saguaro', 'CUSTODY_TRANSFER', 'mutation { recordBooking(input: { subject: { name: "Split Booking" }, county: "county:saguaro", charges: ["split"] }) { id county } }'),
];

/** Every `id` in an answer's data: the records it released (and created). */
export function releasedIds(body: GraphQLBody): string[] {
  const found: string[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) walk(item);
    } else if (isObject(value)) {
      if (typeof value['id'] === 'string') found.push(value['id']);
      for (const child of Object.values(value)) walk(child);
    }
  };
  walk(body.data);
  return found;
}
