export { enforceAllowlist, type AllowlistDeps, type AllowlistRequest } from './allowlist.js';
export { loadManifest, MANIFEST_FORMAT, MANIFEST_VERSION, operationHash, parseManifest, PersistedOperations, type Manifest, type OperationType, type PersistedOperation } from './manifest.js';
export { resolvePersistedQueries } from './resolve-persisted-queries.js';
export { buildManifest, manifestJson, ManifestSourceError, type OperationSource } from './build-manifest.js';
