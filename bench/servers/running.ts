/** What every server role started by the benchmark hands back to its process's entry point. */
export interface RunningServers {
  /** The GraphQL endpoint under load (gateways); empty for a subgraph set. */
  readonly url: string;
  /** Every endpoint this process serves, by service name. */
  readonly urls: Readonly<Record<string, string>>;
  /** How this server is configured, in a few words, for the report. */
  readonly note: string;
  /** SQL statements sent so far, or null for a process without a store. */
  roundTrips(): number | null;
  close(): Promise<void>;
}
