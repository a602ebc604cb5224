export { AUDIT_ACTIONS, AUDIT_DECISIONS, CHAIN_ID, entryId, isAuditAction, isAuditDecision, normalizeEntry } from './entry.js';
export type { AuditAction, AuditContent, AuditDecision, AuditEntry, AuditEntryInput, AuditSubject } from './entry.js';
export { CANONICAL_VERSION, GENESIS_HASH, canonicalEntry, chainHash, entryHash } from './chain.js';
export { AUDIT_UNAVAILABLE_MESSAGE, DEFAULT_APPEND_TIMEOUT_MS, createAuditWriter } from './writer.js';
export type { AuditWriter, AuditWriterOptions } from './writer.js';
export { auditSubjectOf, requestEntry } from './request-entry.js';
export type { RequestEntryFields } from './request-entry.js';
export { verifyChains } from './verify.js';
export type { ChainProblem, ChainReport, ChainStatus, VerifyOptions } from './verify.js';
export {
  CHECKPOINT_KINDS,
  CheckpointSignatureError,
  latestCheckpoint,
  latestCheckpoints,
  parseCheckpointFile,
  signCheckpoint,
  verifyCheckpoint,
} from './checkpoints.js';
export type { Checkpoint, CheckpointClaim, CheckpointKind } from './checkpoints.js';
export { DEFAULT_CHECKPOINT_INTERVAL_MS, startCheckpointer } from './checkpointer.js';
export type { Checkpointer, CheckpointerOptions } from './checkpointer.js';
export { AUDIT_KEY_DIR, auditPublicJwks, generateAuditSigningKey, loadAuditSigningKey, publicJwksOf, readAuditPublicJwks, type AuditKeySource } from './signing-key.js';
export type { AuditSigningKey } from './signing-key.js';
export { JWKS_FETCH_TIMEOUT_MS, JwksLoadError, loadJwks } from './checkpoint-keys.js';
export type { LoadJwksOptions } from './checkpoint-keys.js';
export { purgeBefore, retentionCutoff } from './retention.js';
export type { PurgeResult } from './retention.js';
