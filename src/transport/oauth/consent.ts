import { badRequest, conflict, forbidden, notFound } from '../../core/errors.ts'
import type { Actor } from '../../core/model.ts'
import { type ConsentDeps, checkConsent, consentChoices } from '../../core/oauth-consent.ts'
import type { ConsentBinding } from './consent-binding.ts'
import type { ConsentInteractions } from './interactions.ts'
import { accessTokenLifetimeSeconds, refreshTokenLifetimeSeconds } from './paths.ts'

/** What the consent API needs: the provider's interactions and the consent use-cases. */
export interface OAuthConsentDeps {
  interactions: ConsentInteractions
  consent: ConsentDeps
  binding: ConsentBinding
}

/** The consent API's caller: the signed-in user, and the browser's binding cookie for this authorization. */
export interface ConsentCaller {
  actor: UserActor
  binding: string | undefined
}

type UserActor = Actor & { kind: 'user' }

const expired = () => notFound('Authorization request') // unknown, finished or expired: the client must start again
const answered = () => conflict('This authorization request was already answered')

/** Finds the authorization, for the browser that started it only (see consent-binding.ts). */
async function pendingFor(deps: OAuthConsentDeps, caller: ConsentCaller, uid: string) {
  const pending = await deps.interactions.find(uid)
  if (!pending) throw expired()
  if (!deps.binding.holds(uid, caller.binding))
    throw forbidden('This authorization was started in another browser: start again from the app')
  return pending
}

/** The consent page's data: the client, what it asks for, how long access lasts, and where it may go. */
export async function consentDetails(deps: OAuthConsentDeps, caller: ConsentCaller, uid: string) {
  const pending = await pendingFor(deps, caller, uid)
  return {
    uid,
    client: pending.client,
    requestedScopes: pending.requestedScopes,
    accessTokenLifetimeSeconds,
    refreshTokenLifetimeSeconds,
    accounts: await consentChoices(deps.consent, caller.actor),
  }
}

/**
 * The user consents: checked first (nothing is written on a refusal), then the provider's grant, Keyward's grant
 * row and its History event, and last the interaction's result, which the browser's next stop turns into a code.
 */
export async function grantConsent(
  deps: OAuthConsentDeps,
  caller: ConsentCaller,
  uid: string,
  input: { projectId: string; scopes: readonly string[] },
): Promise<{ redirectTo: string }> {
  const { actor } = caller
  const pending = await pendingFor(deps, caller, uid)
  if (pending.answered) throw answered() // a second click must not make a second grant
  const checked = await checkConsent(deps.consent, actor, input)
  const notAsked = checked.scopes.filter((scope) => !pending.requestedScopes.includes(scope))
  if (notAsked.length > 0)
    throw badRequest(`invalid_scope: the client did not ask for ${notAsked.join(', ')}`)
  const grantId = await deps.interactions.createGrant(pending, actor.userId, checked.scopes)
  await deps.consent.grants.record(actor, {
    id: grantId,
    projectId: checked.projectId,
    userId: actor.userId,
    clientId: pending.client.id,
    clientName: pending.client.name,
    redirectHost: pending.client.redirectHost,
    scopes: checked.scopes,
  })
  const redirectTo = await deps.interactions.finish(uid, {
    login: { accountId: actor.userId },
    consent: { grantId },
  })
  if (!redirectTo) throw expired()
  return { redirectTo }
}

/** The user refuses: the client gets `access_denied` at its redirect URI. */
export async function denyConsent(
  deps: OAuthConsentDeps,
  caller: ConsentCaller,
  uid: string,
): Promise<{ redirectTo: string }> {
  const pending = await pendingFor(deps, caller, uid)
  if (pending.answered) throw answered()
  const redirectTo = await deps.interactions.finish(uid, {
    error: 'access_denied',
    error_description: 'The user denied access',
  })
  if (!redirectTo) throw expired()
  return { redirectTo }
}
