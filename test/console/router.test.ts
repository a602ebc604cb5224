import { describe, expect, it } from 'vitest';
import { entryLink, formatHash, parseHash } from '../../console/src/router.js';

describe('the console\u2019s addresses', () => {
  it('name a view and its parameters', () => {
    const route = parseHash('#/person?personId=P-000101&from=2026-11-23T00%3A00');
    expect(route.view).toBe('person');
    expect(Object.fromEntries(route.params)).toEqual({ personId: 'P-000101', from: '2026-11-23T00:00' });
  });

  it('open the access log for anything else', () => {
    for (const hash of ['', '#', '#/', '#main', '#/nope?x=1', '#/../chain']) expect(parseHash(hash).view).toBe('log');
  });

  it('tolerate a trailing slash and a question mark inside a value', () => {
    expect(parseHash('#/chain/').view).toBe('chain');
    expect(parseHash('#/log?reason=why%3F&subjectSub=a?b').params.get('subjectSub')).toBe('a?b');
  });

  it('round-trip through formatHash', () => {
    const hash = formatHash('log', { personId: 'P-1', decision: 'DENY' });
    expect(hash).toBe('#/log?personId=P-1&decision=DENY');
    const route = parseHash(hash);
    expect(formatHash(route.view, route.params)).toBe(hash);
    expect(formatHash('charts')).toBe('#/charts');
  });

  it('link to one entry through its request and record, the entry open', () => {
    expect(entryLink({ id: 'ice:7', requestId: 'r-1', recordId: 'P-1' })).toBe('#/log?requestId=r-1&recordId=P-1&open=ice%3A7');
    expect(entryLink({ id: 'gateway:3', requestId: 'r-2', recordId: null })).toBe('#/log?requestId=r-2&open=gateway%3A3');
  });
});
