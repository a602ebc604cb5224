import type { Logger } from 'pino';
import type { AccessFunnel } from '../access/funnel.js';
import type { Principal, Purpose, ServiceName } from '../domain.js';
import type { Store } from '../store/store.js';
import type { RequestTelemetry } from '../telemetry/index.js';

/**
 * The one request context every resolver receives: built once per request after the token and
 * the purpose were verified, readonly afterwards. `loaders` are the subgraph's own per-request
 * DataLoaders (caches never outlive a request, so one caller's view never serves another).
 */
export interface RequestContext<L = unknown> {
  readonly requestId: string;
  readonly service: ServiceName;
  readonly principal: Principal;
  readonly purpose: Purpose;
  readonly justification: string | null;
  readonly now: Date;
  readonly access: AccessFunnel;
  readonly loaders: L;
  /** The service's records; reads of shared records go through `loaders` or `listRecords`. */
  readonly store: Store;
  /** The largest page a connection returns (`LIMIT_MAX_PAGE_SIZE`, the gateway's figure). */
  readonly maxPageSize: number;
  readonly log: Logger;
  /** Its metrics and trace (absent in unit tests that build a context by hand). */
  readonly telemetry?: RequestTelemetry | undefined;
}
