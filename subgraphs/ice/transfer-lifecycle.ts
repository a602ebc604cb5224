import type { WriteAction } from '../../lib/access/decision.js';
import type { TransferStatus } from '../../schema/generated/ice.js';

/**
 * REQUESTED → ACCEPTED → IN_TRANSIT → COMPLETED, or CANCELLED before completion. Each step is
 * one write action (rule 9 says who may take it) and the timestamp column it sets.
 */
export interface TransferStep {
  readonly action: WriteAction;
  readonly from: readonly TransferStatus[];
  readonly to: TransferStatus;
  readonly stamp: 'accepted_at' | 'departed_at' | 'completed_at' | 'cancelled_at';
}

export const TRANSFER_STEPS = {
  acceptTransfer: { action: 'acceptTransfer', from: ['REQUESTED'], to: 'ACCEPTED', stamp: 'accepted_at' },
  startTransfer: { action: 'startTransfer', from: ['ACCEPTED'], to: 'IN_TRANSIT', stamp: 'departed_at' },
  completeTransfer: { action: 'completeTransfer', from: ['IN_TRANSIT'], to: 'COMPLETED', stamp: 'completed_at' },
  cancelTransfer: { action: 'cancelTransfer', from: ['REQUESTED', 'ACCEPTED'], to: 'CANCELLED', stamp: 'cancelled_at' },
} as const satisfies Record<string, TransferStep>;

export type TransferStepName = keyof typeof TRANSFER_STEPS;
