import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Actor, operator } from '../src/core/model.ts'
import { appDeps, type Keyward } from '../src/main.ts'
import { buildApp } from '../src/transport/http/app.ts'
import { DashboardClient, signedIn } from './support/dashboard.ts'
import { testDatabases } from './support/databases.ts'
import { newUser, teamWithProject, testKeyward } from './support/keyward.ts'

type User = Actor & { kind: 'user' }

/** Team → Settings through the dashboard API: name and slug, transfer of ownership, deletion, invite links. */
describe.each(testDatabases)('team settings on $name', (database) => {
  let keyward: Keyward
  let app: FastifyInstance
  beforeAll(async () => {
    keyward = await testKeyward({ database })
    app = await buildApp({ ...appDeps(keyward), logLevel: 'silent' })
  })
  afterAll(async () => {
    await app.close()
    await keyward.close()
  })

  /** A team with its primary owner, a second Owner, a Member and a Viewer, each signed in, and a project. */
  async function team(name = 'Acme Robotics') {
    const t = await teamWithProject(keyward, ['member', 'viewer'])
    const { account, project } = t
    const secondOwner = await newUser(keyward, 'owner2')
    await keyward.services.accounts.addMember(operator, {
      accountId: account.id,
      userId: secondOwner.userId,
      role: 'owner',
    })
    await keyward.services.teamSettings.update(operator, { accountId: account.id, name })
    const users = {
      primary: t.owner,
      secondOwner,
      member: t.members.member as User,
      viewer: t.members.viewer as User,
    }
    const as = {} as Record<keyof typeof users, DashboardClient>
    for (const [role, user] of Object.entries(users))
      as[role as keyof typeof users] = await signedIn(app, keyward, user.userId)
    return { accountId: account.id, project, users, as }
  }
  const row = (accountId: string) =>
    keyward.database.db
      .selectFrom('accounts')
      .selectAll()
      .where('id', '=', accountId)
      .executeTakeFirstOrThrow()
  const events = (accountId: string) =>
    keyward.database.db
      .selectFrom('management_events')
      .select(['action', 'details'])
      .where('account_id', '=', accountId)
      .orderBy('created_at')
      .orderBy('id')
      .execute()
  const refused = (status: number, error: string, message?: string) => ({
    error,
    status,
    ...(message ? { message } : {}),
  })

  it('every member reads the settings; only the primary owner is told they may transfer and delete', async () => {
    const t = await team()
    const primary = await t.as.primary.request('GET', `/accounts/${t.accountId}/settings`)
    expect(primary.statusCode).toBe(200)
    expect(primary.json()).toMatchObject({
      account: { id: t.accountId, name: 'Acme Robotics', slug: 'team' },
      primaryOwner: { id: t.users.primary.userId },
      isPrimaryOwner: true,
    })
    for (const client of [t.as.secondOwner, t.as.member, t.as.viewer]) {
      const response = await client.request('GET', `/accounts/${t.accountId}/settings`)
      expect(response.statusCode).toBe(200)
      expect(response.json().isPrimaryOwner).toBe(false)
    }
  })

  it('Owners rename the team and change its slug, recorded from and to; Members and Viewers are refused', async () => {
    const t = await team()
    const before = await row(t.accountId)
    const eventsBefore = (await events(t.accountId)).length
    for (const client of [t.as.member, t.as.viewer]) {
      const response = await client.request('PATCH', `/accounts/${t.accountId}/settings`, {
        name: 'Taken over',
      })
      expect(response.statusCode).toBe(403)
      expect(response.json()).toMatchObject(
        refused(403, 'forbidden', 'Only Owners may change the team settings'),
      )
    }
    const slug = `acme-${Date.now()}`
    const response = await t.as.secondOwner.request('PATCH', `/accounts/${t.accountId}/settings`, {
      name: ' Acme Labs ',
      slug,
    })
    expect(response.statusCode, response.body).toBe(200)
    expect(response.json().account).toMatchObject({ name: 'Acme Labs', slug })
    expect(await row(t.accountId)).toMatchObject({ name: 'Acme Labs', slug })
    const all = await events(t.accountId)
    expect(all.length).toBe(eventsBefore + 1)
    expect(all.at(-1)?.action).toBe('account.renamed')
    expect(JSON.parse(String(all.at(-1)?.details))).toEqual({
      name: { from: before.name, to: 'Acme Labs' },
      slug: { from: before.slug, to: slug },
    })
    // The same values again change nothing and record nothing.
    await t.as.primary.request('PATCH', `/accounts/${t.accountId}/settings`, { name: 'Acme Labs', slug })
    expect((await events(t.accountId)).length).toBe(eventsBefore + 1)
  })

  it('bad input is a 400 (a taken slug a 409) and changes nothing', async () => {
    const t = await team()
    const other = await team('Other team')
    const otherSlug = `other-${Date.now()}`
    await keyward.services.teamSettings.update(operator, { accountId: other.accountId, slug: otherSlug })
    const before = await row(t.accountId)
    const eventsBefore = (await events(t.accountId)).length
    const cases: Array<[unknown, number, RegExp]> = [
      [{ name: '   ' }, 400, /Team name is required/],
      [{ name: 'x'.repeat(101) }, 400, /at most 100/],
      [{ slug: 'Has Spaces' }, 400, /Invalid slug/],
      [{ slug: '-leading' }, 400, /Invalid slug/],
      [{ slug: 'double--hyphen' }, 400, /Invalid slug/],
      [{ slug: 'a' }, 400, /Invalid slug/],
      [{ slug: 'deleted-something' }, 400, /reserved/],
      [{ slug: 42 }, 400, /slug/],
      [{ plan: 'enterprise' }, 400, /plan/],
      [{ slug: otherSlug }, 409, /taken/],
    ]
    for (const [body, status, message] of cases) {
      const response = await t.as.primary.request('PATCH', `/accounts/${t.accountId}/settings`, body)
      expect(response.statusCode, JSON.stringify(body)).toBe(status)
      expect(response.json().message).toMatch(message)
    }
    expect(await row(t.accountId)).toEqual(before)
    expect((await events(t.accountId)).length).toBe(eventsBefore)
  })

  it('only the primary owner transfers ownership; the new one becomes an Owner, the former stays one', async () => {
    const t = await team()
    const transfer = (client: DashboardClient, userId: string) =>
      client.request('POST', `/accounts/${t.accountId}/transfer-ownership`, { userId })
    const eventsBefore = (await events(t.accountId)).length
    for (const client of [t.as.secondOwner, t.as.member, t.as.viewer]) {
      const response = await transfer(client, t.users.member.userId)
      expect(response.statusCode).toBe(403)
      expect(response.json()).toMatchObject(refused(403, 'forbidden', 'Only the primary owner may do this'))
    }
    const outsider = await newUser(keyward, 'outsider')
    expect((await transfer(t.as.primary, outsider.userId)).statusCode).toBe(400)
    expect((await transfer(t.as.primary, t.users.primary.userId)).statusCode).toBe(400)
    expect(
      (await t.as.primary.request('POST', `/accounts/${t.accountId}/transfer-ownership`, {})).statusCode,
    ).toBe(400)
    expect((await row(t.accountId)).primary_owner_id).toBe(t.users.primary.userId)
    expect((await events(t.accountId)).length).toBe(eventsBefore)

    const response = await transfer(t.as.primary, t.users.member.userId)
    expect(response.statusCode, response.body).toBe(200)
    expect(response.json()).toMatchObject({
      primaryOwner: { id: t.users.member.userId },
      isPrimaryOwner: false,
    })
    expect((await row(t.accountId)).primary_owner_id).toBe(t.users.member.userId)
    expect(await keyward.storage.memberships.roleOf(t.accountId, t.users.member.userId)).toBe('owner')
    expect(await keyward.storage.memberships.roleOf(t.accountId, t.users.primary.userId)).toBe('owner')
    const recorded = (await events(t.accountId)).slice(eventsBefore)
    // Events of one transaction share an instant: compare them as a set.
    expect(recorded.map((e) => [e.action, JSON.parse(String(e.details))]).sort()).toEqual([
      ['account.ownership_transferred', { from: t.users.primary.userId, to: t.users.member.userId }],
      ['member.role_changed', { from: 'member', to: 'owner' }],
    ])
    // The former primary owner is now refused, and the new one cannot leave or be demoted before handing over.
    expect((await transfer(t.as.primary, t.users.viewer.userId)).statusCode).toBe(403)
    const demote = await t.as.primary.request(
      'PATCH',
      `/accounts/${t.accountId}/members/${t.users.member.userId}`,
      {
        role: 'viewer',
      },
    )
    expect(demote.statusCode).toBe(409)
    expect(demote.json().message).toMatch(/transfer ownership first/)
    const leave = await t.as.member.request(
      'DELETE',
      `/accounts/${t.accountId}/members/${t.users.member.userId}`,
    )
    expect(leave.statusCode).toBe(409)
  })

  it('deletion: the primary owner only, confirmed by the name; every key stops at once, members and links go', async () => {
    const t = await team()
    const { key, id: keyId } = await keyward.services.keys.create(operator, {
      projectId: t.project.id,
      name: 'Agent',
    })
    const { token } = await keyward.services.team.createInvitation(t.users.primary, {
      accountId: t.accountId,
      email: `invitee-${Date.now()}@example.test`,
      role: 'member',
    })
    const rest = () =>
      app.inject({
        method: 'GET',
        url: `/api/v2/projects/${t.project.id}/visibility/summary`,
        headers: { authorization: `Bearer ${key}` },
      })
    expect((await rest()).statusCode).toBe(200) // cached in the verifier now: deletion must evict it
    const remove = (client: DashboardClient, body: unknown) =>
      client.request('DELETE', `/accounts/${t.accountId}`, body)
    const eventsBefore = (await events(t.accountId)).length

    for (const client of [t.as.secondOwner, t.as.member, t.as.viewer]) {
      const response = await remove(client, { confirmName: 'Acme Robotics' })
      expect(response.statusCode).toBe(403)
      expect(response.json()).toMatchObject(refused(403, 'forbidden', 'Only the primary owner may do this'))
    }
    for (const body of [{ confirmName: 'acme robotics' }, { confirmName: '' }, {}, { confirmName: 7 }]) {
      const response = await remove(t.as.primary, body)
      expect(response.statusCode, JSON.stringify(body)).toBe(400)
    }
    expect((await rest()).statusCode).toBe(200)
    expect((await row(t.accountId)).deleted_at).toBeNull()
    expect((await events(t.accountId)).length).toBe(eventsBefore)

    const response = await remove(t.as.primary, { confirmName: 'Acme Robotics' })
    expect(response.statusCode, response.body).toBe(200)
    expect(response.json()).toEqual({
      deleted: true,
      keysRevoked: 1,
      membersRemoved: 4,
      invitationsRevoked: 1,
      webhooksDeleted: 0,
    })
    const refusedKey = await rest()
    expect(refusedKey.statusCode).toBe(401)
    expect(refusedKey.json()).toEqual({
      error: 'unauthorized',
      message: 'Invalid or missing API key',
      status: 401,
    })
    expect((await keyward.storage.keys.findById(keyId))?.revokedAt).not.toBeNull()
    expect(await keyward.storage.memberships.listByAccount(t.accountId)).toEqual([])
    // Gone for everyone: the account pages, the account list, the invite link.
    expect((await t.as.primary.request('GET', `/accounts/${t.accountId}/overview`)).statusCode).toBe(404)
    expect(
      (await t.as.primary.request('GET', '/me')).json().accounts.map((a: { id: string }) => a.id),
    ).not.toContain(t.accountId)
    expect((await new DashboardClient(app).request('GET', `/invitations/${token}/preview`)).statusCode).toBe(
      404,
    )
    const recorded = (await events(t.accountId)).slice(eventsBefore).map((e) => e.action)
    expect(recorded.sort()).toEqual(['account.deleted', 'key.revoked'])
    const deleted = await row(t.accountId)
    expect(deleted.deleted_at).not.toBeNull()
    expect(deleted.slug).toBe(`deleted-${t.accountId}`)
    // A second delete finds nothing.
    expect((await remove(t.as.primary, { confirmName: 'Acme Robotics' })).statusCode).toBe(404)
  })

  it('an invite link shows the team and the role before sign-in, and nothing else', async () => {
    const t = await team()
    const { token } = await keyward.services.team.createInvitation(t.users.primary, {
      accountId: t.accountId,
      email: `invitee-${Date.now()}@example.test`,
      role: 'viewer',
    })
    const anonymous = new DashboardClient(app)
    const preview = await anonymous.request('GET', `/invitations/${token}/preview`)
    expect(preview.statusCode).toBe(200)
    expect(preview.json()).toEqual({ accountName: 'Acme Robotics', role: 'viewer' })
    for (const bad of ['nope', 'x'.repeat(43), `${token}x`]) {
      const response = await anonymous.request('GET', `/invitations/${bad}/preview`)
      expect(response.statusCode, response.body).toBe(404)
      expect(response.json()).toEqual({ error: 'not_found', message: 'Invitation not found', status: 404 })
    }
    // The detailed view still needs a session.
    expect((await anonymous.request('GET', `/invitations/${token}`)).statusCode).toBe(401)
  })

  it('a pending invitation gets a new link; the old one stops working; Members may not for an Owner invite', async () => {
    const t = await team()
    const { invitation, token } = await keyward.services.team.createInvitation(t.users.primary, {
      accountId: t.accountId,
      email: `invitee-${Date.now()}@example.test`,
      role: 'owner',
    })
    const path = `/accounts/${t.accountId}/invitations/${invitation.id}/link`
    const eventsBefore = (await events(t.accountId)).length
    expect((await t.as.viewer.request('POST', path)).statusCode).toBe(403)
    const member = await t.as.member.request('POST', path)
    expect(member.statusCode).toBe(403)
    expect(member.json().message).toBe('Inviting as owner requires the roles.manage permission')
    expect((await events(t.accountId)).length).toBe(eventsBefore)

    const response = await t.as.secondOwner.request('POST', path)
    expect(response.statusCode, response.body).toBe(200)
    expect(response.headers['cache-control']).toBe('no-store')
    const body = response.json()
    expect(body.token).not.toBe(token)
    expect(body.link).toBe(`/invite/${body.token}`)
    expect(body.invitation).toMatchObject({ id: invitation.id, email: invitation.email, role: 'owner' })
    const anonymous = new DashboardClient(app)
    expect((await anonymous.request('GET', `/invitations/${token}/preview`)).statusCode).toBe(404)
    expect((await anonymous.request('GET', `/invitations/${body.token}/preview`)).json()).toEqual({
      accountName: 'Acme Robotics',
      role: 'owner',
    })
    const recorded = (await events(t.accountId)).slice(eventsBefore)
    expect(recorded.map((e) => e.action)).toEqual(['invitation.link_regenerated'])
    // A revoked invitation has no link to renew.
    await keyward.services.team.revokeInvitation(t.users.primary, {
      accountId: t.accountId,
      invitationId: invitation.id,
    })
    expect((await t.as.primary.request('POST', path)).statusCode).toBe(404)
  })
})
