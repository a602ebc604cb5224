import { operationLimitError } from './limit-error.js';
import type { OperationLimits } from './settings.js';

/**
 * Refuses a batched HTTP request (a JSON array of operations) holding more than `maxBatch`
 * operations: each one is a full request's worth of work behind a single rate-limit token.
 * Pure, for the HTTP layer to call on the parsed body before Apollo sees it
 * (`serveHttp({ checkBody: (body) => checkBatchSize(body, limits) })`); a single operation
 * (a JSON object) always passes.
 */
export function checkBatchSize(body: unknown, limits: Pick<OperationLimits, 'maxBatch'>): void {
  if (Array.isArray(body) && body.length > limits.maxBatch) {
    throw operationLimitError('batch', `Batch of ${body.length} operations exceeds the limit of ${limits.maxBatch}`, {
      max: limits.maxBatch,
      actual: body.length,
    });
  }
}
