import { describe, expect, it } from 'vitest';
import { ANONYMOUS_OPERATION, MAX_OPERATION_LABELS, OperationLabels, OTHER_OPERATION } from '../../lib/telemetry/index.js';

describe('operation names as metric labels', () => {
  it('keeps the names of the first hundred operations and counts every later one as "other"', () => {
    const labels = new OperationLabels();
    for (let i = 0; i < MAX_OPERATION_LABELS; i += 1) expect(labels.label(`Known${i}`)).toBe(`Known${i}`);
    expect(labels.label('Invented')).toBe(OTHER_OPERATION);
    // A name already known keeps its label after the cap.
    expect(labels.label('Known7')).toBe('Known7');
  });

  it('counts an operation without a name as "anonymous"', () => {
    const labels = new OperationLabels();
    expect(labels.label(null)).toBe(ANONYMOUS_OPERATION);
    expect(labels.label(undefined)).toBe(ANONYMOUS_OPERATION);
    expect(labels.label('')).toBe(ANONYMOUS_OPERATION);
  });

  it('never takes a string that is not a GraphQL name as a label', () => {
    const labels = new OperationLabels();
    expect(labels.label('person 4f1c-…')).toBe(OTHER_OPERATION);
    expect(labels.label('x'.repeat(200))).toBe(OTHER_OPERATION);
  });
});
