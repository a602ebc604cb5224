// `npm start`: the whole federation, each service a process of its own under a supervisor
// (scripts/supervise.ts), over one store (embedded PGlite in a store process unless
// DATABASE_URL is set), seeded on first start. `npm start -- <service>` (or
// `npm run start:<service>`) runs one service alone, as each agency would host its own; the
// supervisor starts each child that way.
import { isServiceName } from '../lib/domain.js';
import { runFederation } from './federation.js';
import { runSupervised } from './supervise.js';

const only = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
const unknown = only.filter((name) => !isServiceName(name));
if (unknown.length > 0) {
  console.error(`Unknown service ${unknown.join(', ')}; expected gateway, cbp, ice, partner, ngo or audit`);
  process.exit(2);
}
if (only.length === 0) await runSupervised();
else await runFederation({ services: only.filter(isServiceName) });
