import type { AuditChainStatus, AuditCheckpoint } from '../api/types.js';
import { h, replace } from '../dom.js';
import { formatCount, formatUtc, shortHash } from '../format.js';
import type { ViewContext } from './context.js';
import { definitions, emptyState, loading, viewHeader } from './parts.js';

/**
 * Chain integrity: the last verification (kept for this session) and "Verify now", which walks
 * every hash chain against the signed checkpoints (auditChainStatus); then the newest signed
 * checkpoints, to download and keep for `npm run audit:verify -- --checkpoint FILE`.
 */
export function chainView(ctx: ViewContext): HTMLElement {
  const result = h('div', { class: 'verification', 'aria-live': 'polite' });
  const status = h('div', { class: 'status-area' });
  const verify = h('button', { type: 'button' }, 'Verify now');
  const checkpoints = h('div', { class: 'checkpoints' });

  const show = (last: AuditChainStatus | null): void => {
    replace(result, last === null ? emptyState('Not verified in this session yet.', 'Verify now walks every chain; on a large log it takes a while.') : verification(last));
  };
  show(ctx.session.lastVerification);

  verify.addEventListener('click', () => {
    verify.disabled = true;
    verify.textContent = 'Verifying…';
    result.setAttribute('aria-busy', 'true');
    replace(status);
    ctx.api
      .verifyChain()
      .then((chainStatus) => {
        ctx.session.lastVerification = chainStatus;
        if (!ctx.isCurrent(root)) return;
        show(chainStatus);
        ctx.announce(chainStatus.valid ? 'Verification finished: every chain verifies.' : 'Verification finished: a chain is broken.');
      })
      .catch((error: unknown) => ctx.fail(error, status))
      .finally(() => {
        verify.disabled = false;
        verify.textContent = 'Verify now';
        result.removeAttribute('aria-busy');
      });
  });

  const root = h(
    'section',
    { class: 'view chain-view' },
    viewHeader('Chain integrity', 'Every service keeps a hash chain of its entries; signed checkpoints show that none were cut off at the end.'),
    h('section', { class: 'panel', 'aria-labelledby': 'last-verification' }, h('div', { class: 'panel-head' }, h('h2', { id: 'last-verification' }, 'Last verification'), verify), status, result),
    h('section', { class: 'panel', 'aria-labelledby': 'checkpoints-title' }, h('h2', { id: 'checkpoints-title' }, 'Signed checkpoints'), checkpoints),
  );

  const loadCheckpoints = (): void => {
    replace(checkpoints, loading('Reading the checkpoints…'));
    ctx.api
      .checkpoints()
      .then((list) => {
        if (ctx.isCurrent(root)) replace(checkpoints, checkpointTable(list));
      })
      .catch((error: unknown) => {
        replace(checkpoints);
        ctx.fail(error, checkpoints, loadCheckpoints);
      });
  };
  loadCheckpoints();
  return root;
}

function verification(status: AuditChainStatus): HTMLElement {
  return h(
    'div',
    null,
    h(
      'p',
      { class: `verdict ${status.valid ? 'valid' : 'broken'}` },
      h('span', { 'aria-hidden': 'true', class: 'verdict-icon' }, status.valid ? '✓' : '✗'),
      status.valid ? 'Every chain verifies' : 'The audit log does not verify',
    ),
    definitions([
      ['Valid', status.valid ? 'yes' : 'no'],
      ['Checked entries', formatCount(status.checkedEntries)],
      ['First broken entry', status.firstBrokenEntry === null ? 'none' : h('code', null, status.firstBrokenEntry)],
      ['Reason', status.reason ?? '—'],
      ['Checked at', formatUtc(status.checkedAt)],
    ]),
    h(
      'div',
      { class: 'table-scroll' },
      h(
        'table',
        { class: 'data' },
        h('caption', null, 'Each chain'),
        h('thead', null, h('tr', null, ['Chain', 'Valid', 'Entries', 'First broken entry', 'Reason'].map((header) => h('th', { scope: 'col' }, header)))),
        h(
          'tbody',
          null,
          status.chains.map((chain) =>
            h(
              'tr',
              { class: chain.valid ? null : 'broken' },
              h('th', { scope: 'row' }, chain.chain),
              h('td', null, chain.valid ? '✓ yes' : '✗ no'),
              h('td', { class: 'num' }, formatCount(chain.checkedEntries)),
              h('td', null, chain.firstBrokenEntry ?? '—'),
              h('td', null, chain.reason ?? '—'),
            ),
          ),
        ),
      ),
    ),
  );
}

function checkpointTable(list: readonly AuditCheckpoint[]): HTMLElement {
  if (list.length === 0) return emptyState('No checkpoint signed yet.', 'The audit service signs one every 10 seconds while entries are written.');
  const save = h('button', { type: 'button', class: 'secondary' }, 'Download checkpoints (JSON)');
  save.addEventListener('click', () => {
    const url = URL.createObjectURL(new Blob([`${JSON.stringify({ checkpoints: list }, null, 2)}\n`], { type: 'application/json' }));
    const anchor = h('a', { href: url, download: `tributary-checkpoints-${new Date().toISOString().replace(/[-:]/g, '').slice(0, 15)}Z.json`, hidden: true });
    document.body.append(anchor);
    anchor.click();
    anchor.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  });
  return h(
    'div',
    null,
    h('p', null, 'Keep these: ', h('code', null, 'npm run audit:verify -- --checkpoint FILE'), ' later proves that no entry up to them was removed.'),
    h(
      'div',
      { class: 'table-scroll' },
      h(
        'table',
        { class: 'data' },
        h('thead', null, h('tr', null, ['Chain', 'Entries', 'Head hash', 'Signed at (UTC)', 'Key'].map((header) => h('th', { scope: 'col' }, header)))),
        h(
          'tbody',
          null,
          list.map((checkpoint) =>
            h(
              'tr',
              null,
              h('th', { scope: 'row' }, checkpoint.chain),
              h('td', { class: 'num' }, formatCount(checkpoint.entryCount)),
              h('td', null, h('code', { title: checkpoint.headHash }, shortHash(checkpoint.headHash))),
              h('td', { class: 'nowrap' }, formatUtc(checkpoint.at)),
              h('td', null, h('code', null, checkpoint.keyId)),
            ),
          ),
        ),
      ),
    ),
    save,
  );
}

