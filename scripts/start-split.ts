/**
 * `npm run start:split [-- --fresh] [--prefix NAME] [--base-port N] [--scale small]`: the
 * federation as separate agencies would run it, on this machine (scripts/split/topology.ts):
 * five databases on the PostgreSQL of DATABASE_URL (default postgres://postgres@127.0.0.1:5432),
 * two replicas of every subgraph and two gateways, each a process of its own, the gateways
 * sharing rate limits through REDIS_URL (default redis://127.0.0.1:6379), subgraphs requiring
 * the gateway's identity. Ctrl-C stops everything. docs/operations.md lists the same steps as
 * commands.
 */
import { parseArgs } from 'node:util';
import { readSettings } from '../lib/config.js';
import { SUBGRAPHS } from '../lib/domain.js';
import { devIssuerDir } from '../lib/identity/index.js';
import { repoPath } from '../lib/paths.js';
import { startSplitDeployment } from './split/deployment.js';
import { processOrder, type SplitTopology } from './split/topology.js';

const USAGE = `Usage: npm run start:split [-- --fresh] [--prefix tributary_split] [--base-port 4100] [--scale small]
  --fresh       drop the split databases first (and seed them again)
  --prefix      database names are <prefix>_cbp, _ice, _partner, _ngo, _audit
  --base-port   gateway A on it, replica set A on the next five; set B 100 above
  --scale       seed scale for new databases (small, medium, large)`;

const { values } = parseArgs({
  options: {
    fresh: { type: 'boolean', default: false },
    prefix: { type: 'string', default: 'tributary_split' },
    'base-port': { type: 'string', default: '4100' },
    scale: { type: 'string', default: 'small' },
    help: { type: 'boolean', short: 'h', default: false },
  },
  strict: true,
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const basePort = Number(values['base-port']);
if (!Number.isInteger(basePort) || basePort < 1024 || basePort > 65_000) {
  console.error(`--base-port must be an integer between 1024 and 65000\n${USAGE}`);
  process.exit(2);
}

/** Gateway of set A on the base port and its subgraphs on the next five (in SUBGRAPHS order); set B 100 above. */
const ports = (): number[] =>
  processOrder().map(({ service, replicaSet }) => basePort + (replicaSet === 'a' ? 0 : 100) + (service === 'gateway' ? 0 : 1 + SUBGRAPHS.indexOf(service)));

const settings = readSettings();
const runDir = repoPath('data', 'split');
const deployment = await startSplitDeployment({
  serverUrl: settings.databaseUrl ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  prefix: values.prefix,
  fresh: values.fresh,
  ports: ports(),
  redisUrl: settings.redisUrl ?? 'redis://127.0.0.1:6379',
  rateLimitPerSubject: settings.rateLimitPerSubject,
  runDir,
  devIssuerDir: devIssuerDir(),
  logLevel: settings.logLevel,
  seedScale: values.scale,
  progress: (message) => console.log(message),
}).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

const banner = (topology: SplitTopology): string =>
  [
    '',
    'Tributary, split deployment (NODE_ENV=production, REQUIRE_GATEWAY_IDENTITY=on):',
    ...topology.gateways.map((plan) => `  ${plan.name.padEnd(10)} ${plan.url}  -> replica set ${plan.replicaSet.toUpperCase()}`),
    ...topology.subgraphs.map((plan) => `  ${plan.name.padEnd(10)} ${plan.url}`),
    'Databases:',
    ...Object.entries(topology.databaseUrls).map(([name, url]) => `  ${name.padEnd(10)} ${url}`),
    ...(topology.agencyDatabases ? [] : ["  (this build does not read <AGENCY>_DATABASE_URL yet: every agency's records are in the cbp database)"]),
    `Rate limits shared through ${settings.redisUrl ?? 'redis://127.0.0.1:6379'}; gateway identity trusted by ${topology.gatewayJwksUrl ? 'GATEWAY_JWKS_URL' : 'GATEWAY_IDENTITY_JWKS_FILE'}.`,
    `Logs: each service's JSON lines on this terminal, as npm start's; the seed's in ${deployment.logDir}/seed.log.`,
    'A process that dies is restarted on its port (with backoff, logged).',
    '',
    'Try it:',
    '  TOKEN=$(npm run -s token -- --persona cbp-analyst)',
    `  curl -s ${topology.gateways[0]?.url ?? ''} -H "authorization: Bearer $TOKEN" \\`,
    "    -H 'x-purpose-of-use: INTERDICTION' -H 'content-type: application/json' \\",
    `    -d '{"query":"{ routes(first: 3) { totalCount edges { node { id name } } } }"}'`,
    `Audit: AUDIT_DATABASE_URL=${topology.databaseUrls.audit} npm run audit:verify`,
    'Ctrl-C stops everything.',
    '',
  ].join('\n');
console.log(banner(deployment.topology));

let stopping = false;
const stop = async (signal: string): Promise<void> => {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: stopping the gateways, then the subgraphs (each drains its requests)`);
  await deployment.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
