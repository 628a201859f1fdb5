import type Provider from 'oidc-provider'
import { type ConsentClient, requestedScopes } from '../../core/oauth-consent.ts'
import type { Scope } from '../../core/scopes.ts'
import { mcpResource, oauthRoutes } from './paths.ts'

/** An authorization waiting at the consent page. */
export interface PendingAuthorization {
  uid: string
  client: ConsentClient & { logoUri?: string }
  /** What the client asked for, among the 11 scopes (all of them when it named none). */
  requestedScopes: Scope[]
  /** Every scope parameter value, including OpenID ones (`offline_access`) the consent must also answer. */
  requestedValues: string[]
  /** Consented or denied already: the browser is on its way back to the provider. */
  answered: boolean
}

/**
 * The consent page's view of oidc-provider's interactions. The page lives on the dashboard (its own API, session
 * and CSRF), so the interaction is found by its uid; the authorization it resumes stays bound to the browser that
 * started it, by the provider's resume cookie.
 */
export function consentInteractions(provider: Provider, publicUrl: string) {
  const resource = mcpResource(publicUrl)

  async function interactionOf(uid: string) {
    const interaction = await provider.Interaction.find(uid)
    if (!interaction || !['login', 'consent'].includes(interaction.prompt.name)) return undefined
    return interaction
  }

  return {
    async find(uid: string): Promise<PendingAuthorization | undefined> {
      const interaction = await interactionOf(uid)
      const clientId = interaction?.params.client_id
      const client = typeof clientId === 'string' ? await provider.Client.find(clientId) : undefined
      if (!interaction || !client) return undefined
      const scope = typeof interaction.params.scope === 'string' ? interaction.params.scope : ''
      const redirectUri = interaction.params.redirect_uri ?? client.redirectUris?.[0]
      return {
        uid,
        client: {
          id: client.clientId,
          name: clientLabel(client.clientId, client.clientName),
          redirectHost:
            typeof redirectUri === 'string' && URL.canParse(redirectUri) ? new URL(redirectUri).host : '',
          ...(client.logoUri ? { logoUri: client.logoUri } : {}),
        },
        requestedScopes: requestedScopes(scope),
        requestedValues: scope.split(' ').filter(Boolean),
        answered: interaction.result !== undefined,
      }
    },

    /**
     * The provider's grant for these scopes, for this user and client. The other requested values are rejected
     * explicitly, so that the provider sees every one answered and does not ask again.
     */
    async createGrant(
      pending: PendingAuthorization,
      userId: string,
      scopes: readonly Scope[],
    ): Promise<string> {
      const grant = new provider.Grant({ accountId: userId, clientId: pending.client.id })
      const granted = scopes.join(' ')
      const refused = pending.requestedScopes.filter((scope) => !scopes.includes(scope)).join(' ')
      const openIdValues = pending.requestedValues.filter((value) => !requestedScopes(value).length).join(' ')
      grant.addResourceScope(resource, granted)
      grant.addOIDCScope(openIdValues ? `${granted} ${openIdValues}` : granted)
      if (refused) {
        grant.rejectResourceScope(resource, refused)
        grant.rejectOIDCScope(refused)
      }
      return grant.save()
    },

    /** Saves the outcome; the browser then goes to the returned address, where the provider finishes. */
    async finish(uid: string, result: Record<string, unknown>): Promise<string | undefined> {
      const interaction = await interactionOf(uid)
      if (!interaction) return undefined
      interaction.result = result
      await interaction.save(interaction.exp - Math.floor(Date.now() / 1000))
      // Built from the public URL, never from the provider's `returnTo`: that one comes from the Host header of the
      // request that started the authorization, which the client chose.
      return `${publicUrl}${oauthRoutes.authorization}/${encodeURIComponent(uid)}`
    },
  }
}

export type ConsentInteractions = ReturnType<typeof consentInteractions>

/**
 * A client known by its metadata document names itself: its name is shown with the host that published it, so that
 * a document on evil.example calling itself "Claude" reads as "Claude (evil.example)".
 */
function clientLabel(clientId: string, clientName: string | undefined): string {
  if (!clientName) return clientId
  return URL.canParse(clientId) ? `${clientName} (${new URL(clientId).host})` : clientName
}
