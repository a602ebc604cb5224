import { describe, expect, it } from 'vitest';
import { canonicalItem, type AuditEventItem } from '../../lib/audit/event-format.js';
import { splitItems } from '../../lib/audit/items-scan.js';

/**
 * The verifier's scanner (lib/audit/items-scan.ts) must cut the writer's `items` text exactly
 * at the items' boundaries, whatever the strings inside hold, and refuse every other shape so
 * that the full parse reports it.
 */
const item = (recordId: string | null, rules: readonly string[] = ['owner.read']): AuditEventItem => ({
  recordId,
  ownerOrg: 'cbp-tucson',
  personId: null,
  fieldsReleased: ['id', 'name'],
  fieldsRedacted: [],
  decision: 'ALLOW',
  rules,
});

describe('splitItems', () => {
  it('returns the canonical texts the writer joined, with brackets, commas and escapes inside strings', () => {
    const texts = [item('plain'), item('a],[b', ['x"],["y']), item('back\\'), item('\\"]'), item(null, []), item('\ud83d\ude00 \u0001')].map(canonicalItem);
    expect(splitItems(`[${texts.join(',')}]`)).toEqual(texts);
    expect(splitItems(`[${texts[0]}]`)).toEqual([texts[0]]);
  });

  it('finds each closing quote after any run of backslashes and escaped quotes', () => {
    // Every string of up to five characters over backslash, quote, bracket and comma.
    const alphabet = ['\\', '"', ']', ','];
    const strings: string[] = [''];
    for (let length = 1; length <= 5; length += 1) {
      for (let n = 0; n < alphabet.length ** length; n += 1) {
        let text = '';
        for (let k = 0, rest = n; k < length; k += 1, rest = Math.floor(rest / alphabet.length)) text += alphabet[rest % alphabet.length];
        strings.push(text);
      }
    }
    const texts = strings.map((value) => canonicalItem(item(value, [value])));
    expect(splitItems(`[${texts.join(',')}]`)).toEqual(texts);
  });

  it.each([
    ['empty array', '[]'],
    ['not an array', '{"a":1}'],
    ['an item of the wrong length', '[["a"]]'],
    ['a scalar item', '[1,2]'],
    ['whitespace between items', `[${canonicalItem(item('a'))}, ${canonicalItem(item('b'))}]`],
    ['an unterminated string', '[["a,null,null,[],[],"ALLOW",[]]'],
    ['trailing text', `[${canonicalItem(item('a'))}]x`],
    ['a trailing comma', `[${canonicalItem(item('a'))},]`],
  ])('refuses %s', (_, text) => {
    expect(splitItems(text)).toBeNull();
  });
});
