import type { AuditApi } from '../api/audit-api.js';
import type { ViewName } from '../router.js';
import type { Session } from '../session.js';

/** What every view is given by the app. */
export interface ViewContext {
  readonly api: AuditApi;
  readonly session: Session;
  /** Goes to a view (and re-renders it when the address does not change). */
  navigate(view: ViewName, params?: URLSearchParams | Readonly<Record<string, string>>): void;
  /**
   * Shows a failure in `status` — or, for a token that is no good (expired, not an auditor's),
   * signs out and says why on the sign-in page.
   */
  fail(error: unknown, status: HTMLElement, retry?: () => void): void;
  /** Says something to screen readers (polite live region). */
  announce(text: string): void;
  /** True while `element` is still on the page: an answer for a view left meanwhile is dropped. */
  isCurrent(element: HTMLElement): boolean;
}
