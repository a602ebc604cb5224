import { defaultFieldResolver, isObjectType, type GraphQLSchema } from 'graphql';
import type { RecordType } from '../domain.js';
import { TributaryError } from '../errors.js';
import { decisionOf } from './released.js';

/**
 * Wraps every field of the record types a subgraph owns so that it reads its value only when
 * the record's decision allows that field. A denied field reads null and adds an error with
 * `extensions.code: "REDACTED"` and the rule id (SPEC 5), which the gateway passes through
 * with the client's path.
 *
 * Fail closed: a source object that did not pass the access funnel carries no decision, and
 * then no field but `id` resolves at all.
 */
export function guardOwnedFields(schema: GraphQLSchema, ownedTypes: readonly RecordType[]): GraphQLSchema {
  for (const typeName of ownedTypes) {
    const type = schema.getType(typeName);
    if (!isObjectType(type)) throw new Error(`Owned record type ${typeName} is not an object type of this subgraph`);
    for (const field of Object.values(type.getFields())) {
      if (field.name === 'id' || field.name.startsWith('__')) continue;
      const resolve = field.resolve ?? defaultFieldResolver;
      field.resolve = (source, args, context, info) => {
        const decision = decisionOf(source);
        if (!decision) {
          throw new TributaryError('INTERNAL_SERVER_ERROR', `${typeName}.${field.name} was resolved on a record that bypassed the access funnel`);
        }
        const verdict = decision.field(field.name);
        if (!verdict.allowed) {
          throw new TributaryError('REDACTED', `${typeName}.${field.name} is withheld by rule ${verdict.rule}`, {
            details: { rule: verdict.rule },
          });
        }
        return resolve(source, args, context, info);
      };
    }
  }
  return schema;
}
