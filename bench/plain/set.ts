import type { RunningServers } from '../servers/running.js';
import { cbp } from './cbp.js';
import { openDb, type Db } from './db.js';
import { ice } from './ice.js';
import { ngo } from './ngo.js';
import { partner } from './partner.js';
import { startPlainSubgraph, type PlainSubgraph, type StartedSubgraph } from './subgraph.js';

/**
 * Scenario (d)'s subgraph set: the four plain subgraphs over the benchmark's database, each
 * with a pool of its own, in this one process (as the other sets run theirs).
 */
export async function startPlainSubgraphs(databaseUrl: string): Promise<RunningServers> {
  const pools: Db[] = [];
  const started: StartedSubgraph[] = [];
  const urls: Record<string, string> = {};
  const close = async (): Promise<void> => {
    await Promise.all(started.map((subgraph) => subgraph.stop()));
    await Promise.all(pools.map((db) => db.close()));
  };
  const start = async <L>(subgraph: PlainSubgraph<L>): Promise<void> => {
    const db = openDb(databaseUrl);
    pools.push(db);
    const server = await startPlainSubgraph(subgraph, db);
    started.push(server);
    urls[subgraph.name] = server.url;
  };
  try {
    await start(ice);
    await start(cbp);
    await start(partner);
    await start(ngo);
  } catch (error) {
    await close();
    throw error;
  }
  return {
    url: '',
    urls,
    note: '@apollo/subgraph + pg + DataLoader, SELECT * by keyset, no access control or audit',
    roundTrips: () => pools.reduce((sum, db) => sum + db.statements, 0),
    close,
  };
}
