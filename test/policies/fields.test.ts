import { readdirSync, readFileSync } from 'node:fs';
import { Kind, parse, type DefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { RECORD_TYPES } from '../../lib/domain.js';
import { repoPath } from '../../lib/paths.js';
import { FIELD_CATEGORIES, fieldNames } from '../../policies/index.js';

/**
 * The field map must classify every field the subgraphs expose on an entity, and nothing
 * else: a field added to a schema without a category fails here, not in production as an
 * unexplained redaction.
 */

/** Entity name → every field it has across the subgraph schemas (entities carry @key). */
function schemaEntityFields(): ReadonlyMap<string, ReadonlySet<string>> {
  const entities = new Map<string, Set<string>>();
  const files = readdirSync(repoPath('schema')).filter((name) => name.endsWith('.graphql') && name !== 'supergraph.graphql');
  for (const name of files) {
    const document = parse(readFileSync(repoPath('schema', name), 'utf8'));
    for (const definition of document.definitions as readonly DefinitionNode[]) {
      if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
      if (!definition.directives?.some((directive) => directive.name.value === 'key')) continue;
      const fields = entities.get(definition.name.value) ?? new Set<string>();
      for (const field of definition.fields ?? []) fields.add(field.name.value);
      entities.set(definition.name.value, fields);
    }
  }
  return entities;
}

const entities = schemaEntityFields();

describe('the field category map', () => {
  it('covers exactly the record types, and they are the schemas\' entities', () => {
    expect([...entities.keys()].sort()).toEqual([...RECORD_TYPES].sort());
    expect(Object.keys(FIELD_CATEGORIES).sort()).toEqual([...RECORD_TYPES].sort());
  });

  it.each(RECORD_TYPES)('gives every schema field of %s a category', (type) => {
    const unclassified = [...(entities.get(type) ?? [])].filter((field) => !fieldNames(type).includes(field));
    expect(unclassified).toEqual([]);
  });

  it.each(RECORD_TYPES)('names no field of %s that no schema has', (type) => {
    const unknown = fieldNames(type).filter((field) => !entities.get(type)?.has(field));
    expect(unknown).toEqual([]);
  });

  it('puts the fields SPEC 4 names in their categories', () => {
    expect(FIELD_CATEGORIES.Person).toMatchObject({ name: 'PII', dateOfBirth: 'PII', nationality: 'PII', aNumber: 'PII', protected1367: 'CORE' });
    expect(FIELD_CATEGORIES.Network).toMatchObject({ members: 'INTEL', intelligenceBasis: 'INTEL', lastValidatedAt: 'CORE' });
    expect(FIELD_CATEGORIES.Route).toMatchObject({ waypoints: 'TACTICAL', surveillanceAssets: 'TACTICAL', networks: 'INTEL', hazards: 'HUMANITARIAN' });
    expect(FIELD_CATEGORIES.Transfer).toMatchObject({ medicalSummary: 'MEDICAL', toFacility: 'CORE', completedAt: 'CORE' });
    expect(FIELD_CATEGORIES.Encounter).toMatchObject({ medicalSummary: 'MEDICAL', medicalNeed: 'MEDICAL' });
    expect(FIELD_CATEGORIES.Referral).toMatchObject({ notes: 'NGO_CONFIDENTIAL', circumstances: 'NGO_CONFIDENTIAL' });
    expect(FIELD_CATEGORIES.Provider).toMatchObject({ capacity: 'HUMANITARIAN', bedsAvailable: 'HUMANITARIAN' });
  });
});
