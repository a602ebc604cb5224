import { describe, expect, it } from 'vitest';
import { canonicalItem, itemArray, type AuditEventItem } from '../../lib/audit/event-format.js';

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
