import manifest from '../../operations.manifest.json';

/**
 * The console's operations, from its persisted-query manifest (console/operations/*.graphql,
 * written by `npm run operations:manifest -- console/operations --out console/operations.manifest.json`;
 * a test fails when it is out of date). The console sends each operation's manifest text, whose
 * SHA-256 is its manifest id: that runs on a gateway with PERSISTED_OPERATIONS_ONLY on once the
 * console's manifest is part of the gateway's, and on any gateway without one, in one round trip.
 */
export type OperationName =
  | 'ConsoleAccessLog'
  | 'ConsolePersonHistory'
  | 'ConsoleSummaries'
  | 'ConsoleAnomalies'
  | 'ConsoleVerifyChain'
  | 'ConsoleCheckpoints'
  | 'ConsoleSignIn'
  | 'ConsoleAccessEventProof';

export interface ConsoleOperation {
  readonly operationName: OperationName;
  readonly query: string;
}

/** The operation named, as the manifest holds it; a name the manifest lacks is a build mistake. */
export function consoleOperation(name: OperationName): ConsoleOperation {
  const entry = manifest.operations.find((operation) => operation.name === name);
  if (entry === undefined) throw new Error(`The console's manifest has no operation ${name}: regenerate console/operations.manifest.json`);
  return { operationName: name, query: entry.body };
}
