/**
 * The keys a split deployment's processes share by file, as separate hosts would be handed
 * them: the gateways' identity key pair (private half to the gateways, public JWKS to the
 * subgraphs) and the trusted issuers file. The processes run with NODE_ENV=production, where the
 * development issuer is trusted only when a file lists it, so the file lists it by its public
 * keys; `npm run token` (same DEV_ISSUER_DIR) then mints tokens every process accepts.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEV_ISSUER, getDevIssuerJwks } from '../../lib/identity/index.js';
import { loadOrCreateKeyPair, PRIVATE_KEY_FILE, PUBLIC_JWKS_FILE } from '../../lib/identity/key-store.js';

export interface SplitKeyFiles {
  readonly gatewayKeyFile: string;
  readonly gatewayJwksFile: string;
  readonly trustedIssuersFile: string;
}

/** Creates (or reuses) the key files under `dir`; `devIssuerDir` is where tokens are minted from. */
export async function prepareKeyFiles(dir: string, devIssuerDir: string): Promise<SplitKeyFiles> {
  // One key pair for both gateways: a subgraph behind either trusts one published key set.
  const gatewayKeyDir = join(dir, 'gateway-key');
  await loadOrCreateKeyPair(gatewayKeyDir);
  const trustedIssuersFile = join(dir, 'trusted-issuers.json');
  const devJwks = await getDevIssuerJwks({ dir: devIssuerDir });
  await writeFile(trustedIssuersFile, `${JSON.stringify({ issuers: [{ iss: DEV_ISSUER, jwks: devJwks }] }, null, 2)}\n`, { mode: 0o600 });
  return {
    gatewayKeyFile: join(gatewayKeyDir, PRIVATE_KEY_FILE),
    gatewayJwksFile: join(gatewayKeyDir, PUBLIC_JWKS_FILE),
    trustedIssuersFile,
  };
}
