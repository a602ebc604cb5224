/**
 * Splits an event's stored `items` text into its items' texts without parsing them: the
 * verifier's fast path (issue 12). The writer stores `items` as `[` + the items' canonical texts
 * joined by `,` + `]` (event-build.ts), and a leaf IS the UTF-8 bytes of a canonical text
 * (event-format.ts), so the substrings can be hashed as they are; JSON.parse and re-serializing
 * every item cost the verifier most of its CPU.
 *
 * The scanner respects JSON strings (brackets and commas inside a string, escaped quotes), and
 * accepts only the writer's shape: a non-empty array of arrays of exactly ITEM_MEMBERS members,
 * no whitespace between them. Anything else gives null, and the caller falls back to the full
 * parse, which names what is wrong. A text the scanner accepts but that a writer did not produce
 * cannot pass either: its substrings would not hash to the root the event hash covers.
 */
const OPEN = 0x5b; // [
const CLOSE = 0x5d; // ]
const COMMA = 0x2c; // ,
const QUOTE = 0x22; // "
const BACKSLASH = 0x5c; // \

/** Members of an item array (CanonicalItemArray in event-format.ts). */
const ITEM_MEMBERS = 7;

export function splitItems(text: string): string[] | null {
  const end = text.length - 1;
  if (end < 3 || text.charCodeAt(0) !== OPEN || text.charCodeAt(end) !== CLOSE) return null;
  const items: string[] = [];
  let i = 1;
  for (;;) {
    if (text.charCodeAt(i) !== OPEN) return null;
    const start = i;
    let depth = 0;
    let members = 1;
    for (; i < end; i += 1) {
      const c = text.charCodeAt(i);
      if (c === QUOTE) {
        i = closingQuote(text, i + 1, end);
      } else if (c === OPEN) {
        depth += 1;
      } else if (c === CLOSE) {
        depth -= 1;
        if (depth === 0) break;
      } else if (c === COMMA && depth === 1) {
        members += 1;
      }
    }
    if (i >= end || members !== ITEM_MEMBERS) return null;
    i += 1;
    items.push(text.slice(start, i));
    if (i === end) return items;
    if (text.charCodeAt(i) !== COMMA) return null;
    i += 1;
  }
}

/**
 * The index of the quote that closes a string whose text starts at `from`, or `end` when there is
 * none before it. Strings are most of an item's characters: jumping from quote to quote with the
 * native indexOf, instead of reading each character, was the scanner's main cost. A quote is
 * escaped when an odd number of backslashes stands right before it (\" is an escaped quote, \\" a
 * backslash and then the closing quote).
 */
function closingQuote(text: string, from: number, end: number): number {
  for (let at = text.indexOf('"', from); at !== -1 && at < end; at = text.indexOf('"', at + 1)) {
    let backslashes = 0;
    while (at - backslashes - 1 >= from && text.charCodeAt(at - backslashes - 1) === BACKSLASH) backslashes += 1;
    if (backslashes % 2 === 0) return at;
  }
  return end;
}
