import { describe, expect, it } from 'vitest';
import {
  buildAccessLogFilter,
  describeFilter,
  filterValuesFromParams,
  filterValuesToParams,
  toUtcInputValue,
  toUtcIso,
  windowParams,
} from '../../console/src/log-filter.js';

describe('times in the filter', () => {
  it.each([
    ['2026-11-23T20:40', '2026-11-23T20:40:00.000Z'],
    ['2026-11-23T20:40:15', '2026-11-23T20:40:15.000Z'],
    ['2026-11-23T20:40:15.5', '2026-11-23T20:40:15.500Z'],
    ['2026-11-23', '2026-11-23T00:00:00.000Z'],
    ['2026-11-23T20:40:15.123Z', '2026-11-23T20:40:15.123Z'],
    ['2026-11-23T22:40:15+02:00', '2026-11-23T20:40:15.000Z'],
    [' 2026-11-23T20:40 ', '2026-11-23T20:40:00.000Z'],
  ])('reads %j as the UTC instant %s', (value, expected) => {
    expect(toUtcIso(value)).toBe(expected);
  });

  it.each(['', 'yesterday', '2026-02-31', '2026-13-01T00:00', '23/11/2026', '2026-11-23T25:00'])('refuses %j', (value) => {
    expect(toUtcIso(value)).toBeNull();
  });

  it('shows an instant in a datetime-local input as UTC, to the second', () => {
    expect(toUtcInputValue('2026-11-23T20:40:15.123Z')).toBe('2026-11-23T20:40:15');
    expect(toUtcInputValue('2026-11-23T20:40')).toBe('2026-11-23T20:40:00');
  });
});

describe('the access log filter', () => {
  it('keeps only what was filled in, trimmed', () => {
    expect(buildAccessLogFilter({ subjectSub: '  cbp-analyst@cbp-tucson ', subjectOrg: '', personId: 'P-1', recordId: '   ' })).toEqual({
      ok: true,
      filter: { subjectSub: 'cbp-analyst@cbp-tucson', personId: 'P-1' },
    });
  });

  it('sends times as UTC instants', () => {
    expect(buildAccessLogFilter({ from: '2026-11-23T00:00', to: '2026-11-24T00:00' })).toEqual({
      ok: true,
      filter: { from: '2026-11-23T00:00:00.000Z', to: '2026-11-24T00:00:00.000Z' },
    });
  });

  it('accepts the choices the API knows', () => {
    const result = buildAccessLogFilter({ agency: 'ICE', purpose: 'OVERSIGHT_AUDIT', decision: 'DENY', action: 'AUDIT_READ', recordType: 'Referral' });
    expect(result).toEqual({ ok: true, filter: { agency: 'ICE', purpose: 'OVERSIGHT_AUDIT', decision: 'DENY', action: 'AUDIT_READ', recordType: 'Referral' } });
  });

  it('refuses unknown choices, bad times and an empty window, naming each field', () => {
    const result = buildAccessLogFilter({ decision: 'MAYBE', from: 'soon' });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.map((error) => error.key)).toEqual(['decision', 'from']);
    const backwards = buildAccessLogFilter({ from: '2026-11-24T00:00', to: '2026-11-23T00:00' });
    expect(backwards).toEqual({ ok: false, errors: [{ key: 'to', message: 'To must be later than From' }] });
  });

  it('is the empty filter when nothing is filled in', () => {
    expect(buildAccessLogFilter({})).toEqual({ ok: true, filter: {} });
  });

  it('goes into the address and comes back unchanged, empty values left out', () => {
    const params = filterValuesToParams({ personId: 'P-1', decision: 'DENY', subjectOrg: '', from: '2026-11-23T00:00' });
    expect(params.toString()).toBe('personId=P-1&decision=DENY&from=2026-11-23T00%3A00');
    expect(filterValuesFromParams(params)).toEqual({ personId: 'P-1', decision: 'DENY', from: '2026-11-23T00:00' });
  });

  it('ignores address parameters that are not filters', () => {
    expect(filterValuesFromParams(new URLSearchParams('open=ice:7&size=100&personId=P-2'))).toEqual({ personId: 'P-2' });
  });

  it('says in words what it filters on', () => {
    expect(describeFilter({ personId: 'P-1', decision: 'DENY', from: '2026-11-23T00:00:00.000Z' })).toBe('person id P-1, decision DENY, from 2026-11-23T00:00:00Z');
    expect(describeFilter({})).toBe('');
  });

  it('widens a finding\u2019s window to whole seconds, the last entry included', () => {
    expect(windowParams('2026-11-23T20:40:15.964Z', '2026-11-23T20:40:16.242Z')).toEqual({ from: '2026-11-23T20:40:15.000Z', to: '2026-11-23T20:40:17.000Z' });
    expect(windowParams('2026-11-23T20:40:15.000Z', '2026-11-23T20:40:15.000Z')).toEqual({ from: '2026-11-23T20:40:15.000Z', to: '2026-11-23T20:40:16.000Z' });
  });
});
