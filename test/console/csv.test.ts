import { describe, expect, it } from 'vitest';
import type { AccessEvent } from '../../console/src/api/types.js';
import { ACCESS_EVENT_COLUMNS, csvCell, exportFileName, toCsv } from '../../console/src/csv.js';

const entry: AccessEvent = {
  id: 'ice:7',
  at: '2026-11-23T20:40:15.964Z',
  requestId: 'req-1',
  operationName: 'Transfers, "urgent"',
  operationHash: 'a'.repeat(64),
  subjectIss: 'tributary-dev-issuer',
  subjectSub: 'ice-officer@ice-ero-phoenix',
  subjectOrg: 'ice-ero-phoenix',
  agency: 'ICE',
  roles: ['officer', 'supervisor'],
  purpose: 'CUSTODY_TRANSFER',
  justification: '=HYPERLINK("http://evil")',
  action: 'READ',
  recordType: 'Person',
  recordId: 'P-000101',
  ownerOrg: 'ice-ero-phoenix',
  personId: 'P-000101',
  decision: 'PARTIAL',
  fieldsReleased: ['id', 'name'],
  fieldsRedacted: ['protected1367'],
  rules: ['owner.read', 'protected1367.flag'],
  service: 'ice',
  reason: 'visible under owner.read\nwithheld: CORE',
  chain: 'ice',
  seq: 7,
  item: 0,
  itemCount: 1,
  hash: 'b'.repeat(64),
  prevHash: 'c'.repeat(64),
};

describe('CSV cells', () => {
  it.each([
    ['plain', 'plain'],
    ['with, comma', '"with, comma"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['cr\rlf', '"cr\rlf"'],
    ['', ''],
  ])('writes %j as %j', (value, expected) => {
    expect(csvCell(value)).toBe(expected);
  });

  it('leaves empty cells for null and undefined', () => {
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
  });

  it('writes numbers and booleans as they are, even negative ones', () => {
    expect(csvCell(-3)).toBe('-3');
    expect(csvCell(42)).toBe('42');
    expect(csvCell(true)).toBe('true');
  });

  it('joins lists with semicolons', () => {
    expect(csvCell(['owner.read', 'owner.pii'])).toBe('owner.read; owner.pii');
    expect(csvCell([])).toBe('');
  });

  it.each(['=1+1', '+1', '-1+2', '@SUM(A1)', '\tx'])('defuses %j, which a spreadsheet would run as a formula', (value) => {
    expect(csvCell(value).replace(/^"/, '')).toMatch(/^'/);
  });

  it('defuses a formula and still quotes what needs quoting', () => {
    expect(csvCell('=HYPERLINK("http://evil")')).toBe(`"'=HYPERLINK(""http://evil"")"`);
  });
});

describe('an access log export', () => {
  it('has a header of every field, then one CRLF-terminated line per entry', () => {
    const csv = toCsv(ACCESS_EVENT_COLUMNS, [entry, entry]);
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe(
      'id,at,requestId,operationName,operationHash,subjectIss,subjectSub,subjectOrg,agency,roles,purpose,justification,action,recordType,recordId,ownerOrg,personId,fieldsReleased,fieldsRedacted,decision,rules,service,reason,chain,seq,hash,prevHash',
    );
    expect(csv.endsWith('\r\n')).toBe(true);
    // Header, two entries (a quoted line break stays inside its field), and the final empty string.
    expect(csv.match(/\r\n/g)).toHaveLength(3);
  });

  it('writes an entry so that a CSV reader gets every field back', () => {
    const line = toCsv(ACCESS_EVENT_COLUMNS, [entry]).split('\r\n')[1] ?? '';
    expect(line).toContain('"Transfers, ""urgent"""');
    expect(line).toContain(`"'=HYPERLINK(""http://evil"")"`);
    expect(line).toContain('officer; supervisor');
    expect(line).toContain('owner.read; protected1367.flag');
    expect(line).toContain(',PARTIAL,');
    expect(line).toContain(',7,');
  });

  it('names the file after the time of export', () => {
    expect(exportFileName(new Date('2026-11-23T20:40:16.123Z'))).toBe('tributary-access-log-20261123T204016Z.csv');
  });
});
