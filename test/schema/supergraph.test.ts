import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { composeSupergraph } from '../../lib/schema/compose.js';
import { repoPath } from '../../lib/paths.js';

describe('the supergraph', () => {
  it('composes from the subgraph schemas without errors', async () => {
    await expect(composeSupergraph()).resolves.toContain('@join__graph(name: "ice"');
  });

  it('is checked in exactly as `npm run compose` writes it', async () => {
    const checkedIn = await readFile(repoPath('schema', 'supergraph.graphql'), 'utf8');
    expect(checkedIn).toBe(await composeSupergraph());
  });

  it('keeps every root field SPEC section 7 pins', async () => {
    const sdl = await composeSupergraph();
    const pinned = [
      'network(', 'networks(', 'route(', 'routes(', 'encounter(', 'encounters(', 'transfer(', 'transfers(', 'booking(',
      'bookings(', 'person(', 'referral(', 'referrals(', 'providers(', 'accessLog(', 'auditChainStatus:',
      'requestTransfer(', 'acceptTransfer(', 'completeTransfer(', 'createReferral(', 'updateReferralStatus(', 'grantConsent(',
      'revokeConsent(', 'recordEncounter(', 'recordBooking(', 'linkRouteToNetwork(',
    ];
    for (const field of pinned) expect(sdl, field).toContain(`  ${field}`);
  });
});
