import type { RecordType } from '../../lib/domain.js';

/**
 * What a policy test asks of each record type by id through the gateway: the root field and
 * the fields selected (objects with a minimal sub-selection). `id` is always asked and always
 * released for a visible record, so it is not listed.
 */
export interface RecordShape {
  readonly root: string;
  readonly fields: readonly string[];
  readonly selection: string;
}

const shape = (root: string, fields: readonly string[], objects: Readonly<Record<string, string>> = {}): RecordShape => ({
  root,
  fields,
  selection: ['id', ...fields.map((field) => (objects[field] ? `${field} ${objects[field]}` : field))].join(' '),
});

export const RECORD_SHAPES = {
  Network: shape('network', ['name', 'kind', 'threatLevel', 'status', 'sectors', 'lastValidatedAt', 'reviewRequired', 'members', 'intelligenceBasis', 'analyticSummary'], {
    members: '{ role }',
  }),
  Route: shape('route', ['name', 'sector', 'modality', 'path', 'activityLevel', 'waypoints', 'surveillanceAssets', 'hazards', 'networks'], {
    path: '{ lat lon }',
    waypoints: '{ lat lon }',
    surveillanceAssets: '{ kind }',
    hazards: '{ kind }',
    networks: '{ id }',
  }),
  Transfer: shape('transfer', ['status', 'fromOrg', 'fromFacility', 'toOrg', 'toFacility', 'requestedAt', 'completedAt', 'reason', 'medicalSummary']),
  Referral: shape('referral', ['fromOrg', 'toOrg', 'service', 'status', 'notes', 'provider', 'consent'], {
    provider: '{ id }',
    consent: '{ active }',
  }),
  Person: shape('person', ['name', 'dateOfBirth', 'nationality', 'aNumber', 'protected1367']),
} as const satisfies Partial<Record<RecordType, RecordShape>>;

export type ShapedType = keyof typeof RECORD_SHAPES;

/** `query Read($id: ID!) { record: <root>(id: $id) { ... } }`: the alias is the client's path. */
export const byIdQuery = (type: ShapedType, alias = 'record'): string =>
  `query Read($id: ID!) { ${alias}: ${RECORD_SHAPES[type].root}(id: $id) { ${RECORD_SHAPES[type].selection} } }`;
