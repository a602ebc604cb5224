/** The console's views and their addresses (`#/log?personId=P-1`): shareable, and Back works. */
export const VIEWS = ['log', 'charts', 'person', 'anomalies', 'chain'] as const;
export type ViewName = (typeof VIEWS)[number];

export const VIEW_TITLES: Readonly<Record<ViewName, string>> = {
  log: 'Access log',
  charts: 'Charts',
  person: 'Person history',
  anomalies: 'Anomalies',
  chain: 'Chain integrity',
};

export interface Route {
  readonly view: ViewName;
  readonly params: URLSearchParams;
}

const isView = (value: string): value is ViewName => (VIEWS as readonly string[]).includes(value);

/** `#/person?personId=P-1` → person view with its parameters; anything else → the access log. */
export function parseHash(hash: string): Route {
  const text = hash.startsWith('#') ? hash.slice(1) : hash;
  const [path = '', query = ''] = text.split(/\?(.*)/s, 2);
  const name = path.replace(/^\/+/, '').replace(/\/+$/, '');
  return { view: isView(name) ? name : 'log', params: new URLSearchParams(query) };
}

export function formatHash(view: ViewName, params: URLSearchParams | Readonly<Record<string, string>> = new URLSearchParams()): string {
  const search = (params instanceof URLSearchParams ? params : new URLSearchParams(params)).toString();
  return `#/${view}${search === '' ? '' : `?${search}`}`;
}

/**
 * The log view opened on one entry: its request (and record, so the entry is on the first page
 * however many records the request touched), the entry itself expanded.
 */
export function entryLink(entry: { readonly id: string; readonly requestId: string; readonly recordId: string | null }): string {
  return formatHash('log', { requestId: entry.requestId, ...(entry.recordId === null ? {} : { recordId: entry.recordId }), open: entry.id });
}
