// `npm start`: the whole federation in one process over one store (embedded PGlite unless
// DATABASE_URL is set), seeded on first start. `npm start -- <service>` (or
// `npm run start:<service>`) runs one service alone, as each agency would host its own.
import { runFederation } from './federation.js';
import { isServiceName } from '../lib/domain.js';

const only = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
const unknown = only.filter((name) => !isServiceName(name));
if (unknown.length > 0) {
  console.error(`Unknown service ${unknown.join(', ')}; expected gateway, cbp, ice, partner, ngo or audit`);
  process.exit(2);
}
await runFederation({ services: only.filter(isServiceName) });
