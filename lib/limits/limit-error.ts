import { TributaryError } from '../errors.js';

/** The limits of SPEC section 8, as they appear in `extensions.limit` of a refusal. */
export type LimitName = 'depth' | 'aliases' | 'directives' | 'tokens' | 'pageSize' | 'cost' | 'batch' | 'records' | 'time';

/**
 * A refusal clients can act on: `extensions.code` is `OPERATION_LIMIT`, `extensions.limit`
 * names the limit, `max` and (when known) `actual` say by how much it was exceeded.
 */
export function operationLimitError(limit: LimitName, message: string, figures: { readonly max: number; readonly actual?: number }): TributaryError {
  return new TributaryError('OPERATION_LIMIT', message, {
    details: { limit, max: figures.max, ...(figures.actual === undefined ? {} : { actual: figures.actual }) },
  });
}

/** Big numbers in messages read as 250,000 rather than 250000. */
export const formatCount = (value: number): string => value.toLocaleString('en-US');
