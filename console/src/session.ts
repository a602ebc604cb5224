import { auditChainStatus, type AuditChainStatus } from './api/types.js';

/** What the console keeps: only in this tab (sessionStorage), gone when the tab closes. */
const TOKEN_KEY = 'tributary.console.token';
const LAST_VERIFICATION_KEY = 'tributary.console.lastVerification';

export type KeyValueStore = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export class Session {
  constructor(private readonly storage: KeyValueStore) {}

  get token(): string | null {
    const token = this.storage.getItem(TOKEN_KEY);
    return token === null || token === '' ? null : token;
  }

  save(token: string): void {
    this.storage.setItem(TOKEN_KEY, token);
  }

  /** Forgets the token and everything read with it. */
  clear(): void {
    this.storage.removeItem(TOKEN_KEY);
    this.storage.removeItem(LAST_VERIFICATION_KEY);
  }

  get lastVerification(): AuditChainStatus | null {
    const text = this.storage.getItem(LAST_VERIFICATION_KEY);
    if (text === null) return null;
    try {
      return auditChainStatus(JSON.parse(text) as unknown, 'lastVerification');
    } catch {
      this.storage.removeItem(LAST_VERIFICATION_KEY);
      return null;
    }
  }

  set lastVerification(status: AuditChainStatus | null) {
    if (status === null) this.storage.removeItem(LAST_VERIFICATION_KEY);
    else this.storage.setItem(LAST_VERIFICATION_KEY, JSON.stringify(status));
  }
}
