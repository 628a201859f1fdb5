import type { ActivityReason } from './activity-reason.ts'
import type { KeyAuthRecord } from './model.ts'

/**
 * The activity reason of a request: its refusal reason when it was refused (refusals win), else `previous_secret`
 * when it was made with the key's previous secret during a grace period, so that the owner sees who has not moved.
 */
export const requestReason = (
  refusal: ActivityReason | null,
  key: KeyAuthRecord | undefined,
): ActivityReason | null =>
  refusal ?? (key?.previousSecretValidUntil !== undefined ? 'previous_secret' : null)
