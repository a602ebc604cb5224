import { ApiError } from '../api/problems.js';
import { h } from '../dom.js';

/** Fetches an entry's proof: its JSON, or null when the log holds no such entry. */
export type ProofSource = (id: string) => Promise<string | null>;

/**
 * "Download proof": saves the entry's inclusion proof as `tributary-proof-<id>.json`, for an
 * auditor to hand on; whoever receives it checks it without the log, with
 * `npm run audit:verify-proof -- FILE --jwks JWKS` or any SHA-256 and ES256 (docs/audit.md).
 * Right after a request the entry may not be under a signed checkpoint yet (one is signed
 * every 10 s): the status line then says to retry, and the button stays usable.
 */
export function proofButton(entryId: string, fetchProof: ProofSource): HTMLElement {
  const button = h('button', { type: 'button', class: 'secondary' }, 'Download proof');
  const status = h('span', { class: 'proof-status muted', role: 'status' });
  button.addEventListener('click', () => {
    button.disabled = true;
    status.textContent = 'Preparing the proof…';
    fetchProof(entryId)
      .then((proof) => {
        if (proof === null) {
          status.textContent = 'The log holds no such entry (it may have been purged by retention).';
          return;
        }
        save(`tributary-proof-${entryId.replace(/[^A-Za-z0-9_.-]/g, '_')}.json`, proof.endsWith('\n') ? proof : `${proof}\n`);
        status.textContent = 'Saved. Check it with npm run audit:verify-proof -- FILE --jwks JWKS.';
      })
      .catch((error: unknown) => {
        const retry = error instanceof ApiError && error.problem.kind === 'service-unavailable';
        status.textContent = retry
          ? 'No signed checkpoint covers this entry yet; try again in 10 seconds.'
          : `The proof could not be fetched: ${error instanceof Error ? error.message : String(error)}`;
      })
      .finally(() => {
        button.disabled = false;
      });
  });
  return h('div', { class: 'entry-proof' }, button, ' ', status);
}

function save(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const anchor = h('a', { href: url, download: name, hidden: true });
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
