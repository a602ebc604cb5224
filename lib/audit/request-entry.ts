import type { Principal, ServiceName } from '../domain.js';
import type { AuditAction, AuditDecision, AuditEntryInput, AuditSubject } from './entry.js';

/** What an entry stores of a verified caller: who, never the token's other claims. */
export function auditSubjectOf(principal: Principal): AuditSubject {
  return { iss: principal.iss, sub: principal.sub, agency: principal.agency, org: principal.org, roles: principal.roles };
}

/** A request-level entry: one about the request as a whole, naming no record. */
export interface RequestEntryFields {
  readonly requestId: string;
  readonly operationName: string | null;
  readonly operationHash: string | null;
  /** `null` when no subject was verified: then `reason` says why it was refused. */
  readonly principal: Principal | null;
  readonly purpose: string | null;
  readonly justification: string | null;
  readonly action: Extract<AuditAction, 'REQUEST' | 'AUTHENTICATE' | 'PURPOSE_CHECK'>;
  readonly decision: AuditDecision;
  readonly service: ServiceName;
  readonly reason: string | null;
}

/**
 * The entry for a request as a whole (the gateway's REQUEST entry, a refused token or purpose,
 * a shed or refused request): the same shape wherever a service records one, with the record
 * fields empty.
 */
export function requestEntry(fields: RequestEntryFields): AuditEntryInput {
  return {
    requestId: fields.requestId,
    operationName: fields.operationName,
    operationHash: fields.operationHash,
    subject: fields.principal && auditSubjectOf(fields.principal),
    purpose: fields.purpose,
    justification: fields.justification,
    action: fields.action,
    recordType: null,
    recordId: null,
    ownerOrg: null,
    personId: null,
    fieldsReleased: [],
    fieldsRedacted: [],
    decision: fields.decision,
    rules: [],
    service: fields.service,
    reason: fields.reason,
  };
}
