import { describe, expect, it } from 'vitest';
import { normalizeEntries, normalizeEntry, type AuditEntryInput } from '../../lib/audit/entry.js';
import { canonicalItem, canonicalItemWith, itemArray, type AuditEventItem } from '../../lib/audit/event-format.js';

/**
 * canonicalItem is written out by hand for speed; the format (event-format.ts) defines it as
 * JSON.stringify of the item's array. Every string that JSON escapes, or that holds surrogates,
 * must come out byte for byte as JSON.stringify gives it.
 */
const TRICKY = [
  '',
  'plain',
  'quote " inside',
  'back\\slash',
  'tab\tnew\nline\rcr',
  '\u0000\u0001\u001f\u007f',
  'pair \ud83d\ude00 emoji',
  'lone high \ud800 end',
  'lone low \udc00 end',
  '\u2028\u2029 separators',
  'ünïcödé ✓',
  '</script>',
];

const item = (text: string, decision: AuditEventItem['decision'] = 'PARTIAL'): AuditEventItem => ({
  recordId: text,
  ownerOrg: null,
  personId: `${text}-p`,
  fieldsReleased: [text, 'id'],
  fieldsRedacted: [],
  decision,
  rules: [text],
});

describe('canonicalItem', () => {
  it.each(TRICKY)('equals JSON.stringify of the item array for %j', (text) => {
    const value = item(text);
    expect(canonicalItem(value)).toBe(JSON.stringify(itemArray(value)));
  });

  it('writes null members and empty lists as JSON does', () => {
    const value: AuditEventItem = { recordId: null, ownerOrg: null, personId: null, fieldsReleased: [], fieldsRedacted: [], decision: 'DENY', rules: [] };
    expect(canonicalItem(value)).toBe('[null,null,null,[],[],"DENY",[]]');
  });
});

describe('the writer\'s shared-list path', () => {
  it('canonicalItemWith gives canonicalItem\'s text, lists shared between items or not', () => {
    const lists = new Map<readonly string[], string>();
    const shared = ['id', 'quote " inside'];
    const items = [...TRICKY.map((text) => item(text)), ...TRICKY.map((text) => ({ ...item(text), fieldsReleased: shared, rules: shared }))];
    for (const value of items) expect(canonicalItemWith(value, lists)).toBe(canonicalItem(value));
  });

  it('normalizeEntries equals normalizeEntry per entry when entries share a subject and lists', () => {
    const subject = { iss: 'i', sub: 'lone \ud800', agency: 'ICE', org: 'o', roles: ['analyst', 'nul \u0000'] };
    const released = ['id', 'bad \udc00'];
    const rules = ['owner.read'];
    const now = new Date('2026-01-02T03:04:05.678Z');
    const entries: AuditEntryInput[] = TRICKY.map((text, i) => ({
      requestId: 'r', operationName: null, operationHash: null, subject: i % 3 === 2 ? { ...subject } : subject, purpose: null,
      justification: null, action: 'READ', recordType: 'Transfer', recordId: text, ownerOrg: null, personId: null,
      fieldsReleased: i % 2 === 0 ? released : [text], fieldsRedacted: [], decision: 'ALLOW', rules, service: 'ice', reason: null,
      ...(i === 4 ? { at: new Date('2025-01-01T00:00:00.000Z') } : {}),
    }));
    const batch = normalizeEntries(entries, now);
    expect(batch).toEqual(entries.map((entry) => normalizeEntry(entry, now)));
    // Copies, never the caller's objects: a caller changing its arrays later changes nothing stored.
    expect(batch[0]?.fieldsReleased).not.toBe(released);
    expect(batch[0]?.subject).not.toBe(subject);
    expect(batch[0]?.subject?.roles).toEqual(['analyst', 'nul \ufffd']);
  });

  it('normalizeEntries names the bad member of a bad entry', () => {
    const entry = { requestId: 'r', operationName: null, operationHash: null, subject: null, purpose: null, justification: null, action: 'READ',
      recordType: null, recordId: null, ownerOrg: null, fieldsReleased: ['ok', 7], fieldsRedacted: [], decision: 'ALLOW', rules: [], service: 'ice', reason: 'x' };
    expect(() => normalizeEntries([entry as unknown as AuditEntryInput], new Date())).toThrow('"fieldsReleased[1]" must be a string, got number');
  });
});
