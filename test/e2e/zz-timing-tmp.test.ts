import { it } from 'vitest';
import { startTestFederation } from '/work/main/test/support/federation.js';
it('times', async () => {
  const t0 = Date.now();
  const fed = await startTestFederation();
  console.log('start', Date.now() - t0);
  const t1 = Date.now();
  const r = await fed.query('cbp-analyst', 'INTERDICTION', '{ routes(first: 3) { totalCount } }');
  console.log('q', Date.now() - t1, JSON.stringify(r));
  const t2 = Date.now();
  await fed.close();
  console.log('close', Date.now() - t2);
}, 120000);
