import { MAX_PAGE_SIZE } from '../api/audit-api.js';
import { ACCESS_EVENT_COLUMNS, exportFileName, toCsv } from '../csv.js';
import { h } from '../dom.js';
import { formatCount, plural } from '../format.js';
import type { AccessLogFilterInput } from '../log-filter.js';
import { collectPages, EXPORT_CAP } from '../paging.js';
import type { ViewContext } from './context.js';

export interface ExportControls {
  /** Disabled while the export runs. */
  readonly button: HTMLButtonElement;
  /** Where progress and the outcome are told. */
  readonly progress: HTMLElement;
  /** Where a failure is shown (with its retry). */
  readonly status: HTMLElement;
}

/** Downloads everything the filter matches as CSV, up to EXPORT_CAP entries, newest first. */
export function exportAccessLog(ctx: ViewContext, filter: AccessLogFilterInput, { button, progress, status }: ExportControls): void {
  button.disabled = true;
  progress.textContent = 'Exporting…';
  collectPages((first, after) => ctx.api.accessLog(filter, Math.min(first, MAX_PAGE_SIZE), after), {
    cap: EXPORT_CAP,
    onProgress: (read, total) => {
      progress.textContent = `Exporting… ${formatCount(read)} of ${formatCount(Math.min(total, EXPORT_CAP))} entries`;
    },
  })
    .then((collected) => {
      download(exportFileName(new Date()), toCsv(ACCESS_EVENT_COLUMNS, collected.items));
      progress.textContent = collected.truncated
        ? `Exported the newest ${formatCount(collected.items.length)} of ${formatCount(collected.totalCount)} entries (the export stops at ${formatCount(EXPORT_CAP)}; narrow the filter for the rest).`
        : `Exported ${plural(collected.items.length, 'entry', 'entries')} as CSV.`;
    })
    .catch((error: unknown) => {
      progress.textContent = 'Export failed.';
      ctx.fail(error, status);
    })
    .finally(() => {
      button.disabled = false;
    });
}

function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const anchor = h('a', { href: url, download: name, hidden: true });
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
