import pg from 'pg';
import { readSettings } from '../../lib/config.js';
import { mintToken, PERSONAS, PERSONA_NAMES } from '../../lib/identity/index.js';
import { startFederation } from '../../scripts/federation.js';
const name = `tributary_bench_probe_${Date.now()}`;
const admin = async (q: string) => { const c = new pg.Client('postgres://postgres@127.0.0.1:5432/postgres'); await c.connect(); await c.query(q); await c.end(); };
await admin(`CREATE DATABASE ${name}`);
const url = `postgres://postgres@127.0.0.1:5432/${name}`;
const fed = await startFederation({ settings: readSettings({ ...process.env, DATABASE_URL: url, LOG_LEVEL: 'warn' }), ephemeralPorts: true, seed: 'medium' });
try {
  const gw = fed.urls.gateway!;
  const q = async (persona: string, purpose: string, query: string) => {
    const token = await mintToken(PERSONAS[persona as 'cbp-agent']);
    const t0 = performance.now();
    const r = await fetch(gw, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-purpose-of-use': purpose, 'x-justification': 'CASE-1' }, body: JSON.stringify({ query }) });
    const text = await r.text();
    return { ms: Math.round(performance.now() - t0), len: text.length, body: JSON.parse(text) };
  };
  for (const p of PERSONA_NAMES) {
    for (const purpose of PERSONAS[p].purposes) {
      const r = await q(p, purpose, `{ transfers(first: 500) { totalCount edges { node { id status toFacility person { id name encounters { id station } } } } } }`);
      const edges = r.body.data?.transfers?.edges ?? [];
      const persons = edges.filter((e: any) => e.node.person).length;
      const enc = edges.reduce((s: number, e: any) => s + (e.node.person?.encounters?.length ?? 0), 0);
      console.log(p, purpose, 'total', r.body.data?.transfers?.totalCount, 'edges', edges.length, 'persons', persons, 'enc', enc, 'errors', r.body.errors?.length ?? 0, r.ms, 'ms', r.body.errors?.[0]?.message?.slice(0, 100));
    }
  }
} finally { await fed.close(); await admin(`DROP DATABASE ${name} WITH (FORCE)`); }
