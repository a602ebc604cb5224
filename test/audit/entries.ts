import type { AuditEntryInput } from '../../lib/audit/index.js';

/** A plausible record read by a CBP analyst; override what a test is about. */
export function anEntry(overrides: Partial<AuditEntryInput> = {}): AuditEntryInput {
  return {
    requestId: 'req-00000001',
    operationName: 'RoutesInSector',
    operationHash: 'a'.repeat(64),
    subject: { iss: 'tributary-dev-issuer', sub: 'analyst@cbp-tucson', agency: 'CBP', org: 'cbp-tucson', roles: ['analyst'] },
    purpose: 'INTERDICTION',
    justification: null,
    action: 'READ',
    recordType: 'Route',
    recordId: 'route-1',
    ownerOrg: 'cbp-tucson',
    personId: null,
    fieldsReleased: ['id', 'name', 'sector'],
    fieldsRedacted: [],
    decision: 'ALLOW',
    rules: ['owner.core'],
    service: 'cbp',
    reason: null,
    ...overrides,
  };
}

export const entries = (count: number, overrides: (i: number) => Partial<AuditEntryInput> = () => ({})): AuditEntryInput[] =>
  Array.from({ length: count }, (_, i) => anEntry({ recordId: `route-${i + 1}`, ...overrides(i) }));
