import { createHash } from 'node:crypto'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Actor, operator } from '../src/core/model.ts'
import type { Keyward } from '../src/main.ts'
import { testDatabases } from './support/databases.ts'
import { newUser, teamWithProject, testClock, testKeyward } from './support/keyward.ts'
import { rejection } from './support/rejection.ts'

const day = 24 * 60 * 60 * 1000

type User = Actor & { kind: 'user' }

describe.each(testDatabases)('team management on $name', (database) => {
  let keyward: Keyward
  const clock = testClock()
  beforeAll(async () => {
    keyward = await testKeyward({ database, clock })
  })
  afterAll(() => keyward.close())

  const team = () => keyward.services.team
  const profile = async (user: User) => {
    const found = await keyward.users.findById(user.userId)
    if (!found) throw new Error('no such user')
    return found
  }
  const signUp = async (email: string): Promise<User> => {
    const user = await keyward.users.createWithPassword({
      email,
      name: 'Invitee',
      password: 'a long enough secret',
    })
    return { kind: 'user', userId: user.id }
  }
  const newestEvent = async (accountId: string) =>
    (await keyward.storage.events.listByAccount(accountId, 1))[0]
  const eventCount = async (accountId: string) =>
    (await keyward.storage.events.listByAccount(accountId, 500)).length
  let emails = 0
  const freshEmail = () => `invitee-${++emails}-${Date.now()}@example.test`
  const setUp = async () => {
    const t = await teamWithProject(keyward, ['member', 'viewer'])
    const { member, viewer } = t.members as Record<'member' | 'viewer', User>
    return { ...t, member, viewer, outsider: await newUser(keyward, 'outsider') }
  }

  describe('projects', () => {
    it('renames with settings.manage, records from and to, and ignores an unchanged name', async () => {
      const { project, member, viewer, outsider } = await setUp()
      const rename = (actor: Actor, name: string) =>
        keyward.services.projects.rename(actor, { projectId: project.id, name })
      expect(await rejection(rename(viewer, 'X'))).toEqual({
        code: 'forbidden',
        message: 'This requires the settings.manage permission',
      })
      expect((await rejection(rename(outsider, 'X'))).code).toBe('not_found')
      expect((await rejection(rename(member, '  '))).code).toBe('bad_request')
      expect(await rename(member, ' Docs ')).toEqual({ ...project, name: 'Docs' })
      expect((await keyward.storage.projects.findById(project.id))?.name).toBe('Docs')
      expect(await newestEvent(project.accountId)).toMatchObject({
        actor: member,
        action: 'project.renamed',
        targetType: 'project',
        targetId: project.id,
        details: { from: 'Website', to: 'Docs' },
      })
      const before = await eventCount(project.accountId)
      await rename(member, 'Docs')
      expect(await eventCount(project.accountId)).toBe(before)
    })
  })

  describe('members', () => {
    it('lists members with email and name to any member, and to no one else', async () => {
      const { account, owner, member, viewer, outsider } = await setUp()
      const listed = await team().listMembers(viewer, { accountId: account.id })
      const expected = await Promise.all(
        [owner, member, viewer].map(async (u, i) => {
          const { email, name } = await profile(u)
          return { userId: u.userId, email, name, role: ['owner', 'member', 'viewer'][i] }
        }),
      )
      // All three joined at the same instant, so the store orders them by email.
      const byEmail = (a: { email: string }, b: { email: string }) => a.email.localeCompare(b.email)
      expect(listed.map(({ createdAt: _, ...m }) => m)).toEqual(expected.sort(byEmail))
      expect(listed.every((m) => m.createdAt === clock())).toBe(true)
      expect(await rejection(team().listMembers(outsider, { accountId: account.id }))).toEqual({
        code: 'not_found',
        message: 'Account not found',
      })
    })

    it('lets only roles.manage change roles, records the change, and skips no-ops', async () => {
      const { account, owner, member, viewer, outsider } = await setUp()
      const change = (actor: Actor, userId: string, role: string) =>
        team().changeRole(actor, { accountId: account.id, userId, role })
      for (const actor of [member, viewer]) {
        expect((await rejection(change(actor, viewer.userId, 'member'))).code).toBe('forbidden')
      }
      expect((await rejection(change(outsider, viewer.userId, 'member'))).code).toBe('not_found')
      expect((await rejection(change(owner, outsider.userId, 'member'))).code).toBe('not_found')
      expect((await rejection(change(owner, viewer.userId, 'admin'))).code).toBe('bad_request')

      const changed = await change(owner, viewer.userId, 'member')
      expect(changed).toMatchObject({
        userId: viewer.userId,
        role: 'member',
        email: (await profile(viewer)).email,
      })
      expect(await keyward.storage.memberships.roleOf(account.id, viewer.userId)).toBe('member')
      expect(await newestEvent(account.id)).toMatchObject({
        actor: owner,
        action: 'member.role_changed',
        targetType: 'member',
        targetId: viewer.userId,
        details: { from: 'viewer', to: 'member' },
      })
      const before = await eventCount(account.id)
      expect((await change(owner, viewer.userId, 'member')).role).toBe('member')
      expect(await eventCount(account.id)).toBe(before)
    })

    it('never leaves an account without an Owner, even when Owners demote each other at once', async () => {
      const { account, owner } = await setUp()
      const change = (actor: Actor, userId: string, role: string) =>
        team().changeRole(actor, { accountId: account.id, userId, role })
      expect(await rejection(change(owner, owner.userId, 'member'))).toEqual({
        code: 'conflict',
        message: 'An account needs at least one Owner',
      })
      const owners = [owner]
      for (let i = 0; i < 5; i++) {
        const user = await newUser(keyward, 'co-owner')
        await keyward.services.accounts.addMember(operator, {
          accountId: account.id,
          userId: user.userId,
          role: 'owner',
        })
        owners.push(user)
      }
      // Each Owner demotes the next one; without serialization every count would still see several Owners.
      const outcomes = await Promise.allSettled(
        owners.map((actor, i) => change(actor, (owners[(i + 1) % owners.length] as User).userId, 'viewer')),
      )
      // An Owner demoted before its own request commits is refused too (the permission is checked again under the
      // lock), so how many succeed depends on the interleaving; that at least one Owner remains does not.
      const done = outcomes.filter((o) => o.status === 'fulfilled').length
      const ownersLeft = await keyward.storage.memberships.countByRole(account.id, 'owner')
      expect(ownersLeft).toBeGreaterThanOrEqual(1)
      expect(ownersLeft).toBe(owners.length - done)
      for (const o of outcomes)
        if (o.status === 'rejected')
          expect(['forbidden', 'conflict']).toContain((o.reason as { code: string }).code)
    })

    it('lets members.manage remove members, anyone leave, and no one remove the last Owner', async () => {
      const { account, owner, member, viewer, outsider } = await setUp()
      const remove = (actor: Actor, userId: string) =>
        team().removeMember(actor, { accountId: account.id, userId })
      expect(await rejection(remove(member, viewer.userId))).toEqual({
        code: 'forbidden',
        message: 'This requires the members.manage permission',
      })
      expect((await rejection(remove(outsider, viewer.userId))).code).toBe('not_found')
      expect((await rejection(remove(outsider, outsider.userId))).code).toBe('not_found')
      expect((await rejection(remove(owner, outsider.userId))).code).toBe('not_found')

      await remove(viewer, viewer.userId)
      expect(await newestEvent(account.id)).toMatchObject({
        actor: viewer,
        action: 'member.removed',
        targetId: viewer.userId,
        details: { role: 'viewer' },
      })
      await remove(owner, member.userId)
      expect(await newestEvent(account.id)).toMatchObject({ actor: owner, details: { role: 'member' } })
      expect(await rejection(remove(owner, owner.userId))).toEqual({
        code: 'conflict',
        message: 'An account needs at least one Owner',
      })
      const left = await team().listMembers(owner, { accountId: account.id })
      expect(left.map((m) => m.userId)).toEqual([owner.userId])
      expect((await rejection(team().listMembers(member, { accountId: account.id }))).code).toBe('not_found')
    })
  })

  describe('invitations', () => {
    it('lets Members invite only as Member, Owners as anything, Viewers and outsiders not at all', async () => {
      const { account, owner, member, viewer, outsider } = await setUp()
      const invite = (actor: Actor, role: string, email = freshEmail()) =>
        team().createInvitation(actor, { accountId: account.id, email, role })
      expect(await rejection(invite(viewer, 'member'))).toEqual({
        code: 'forbidden',
        message: 'This requires the invites.manage permission',
      })
      for (const role of ['owner', 'viewer']) {
        expect(await rejection(invite(member, role))).toEqual({
          code: 'forbidden',
          message: `Inviting as ${role} requires the roles.manage permission`,
        })
      }
      expect((await rejection(invite(outsider, 'member'))).code).toBe('not_found')
      expect((await rejection(team().listInvitations(outsider, { accountId: account.id }))).code).toBe(
        'not_found',
      )
      expect((await rejection(invite(owner, 'admin'))).code).toBe('bad_request')
      expect((await rejection(invite(owner, 'member', 'not-an-email'))).code).toBe('bad_request')
      expect(
        await rejection(invite(owner, 'member', (await profile(viewer)).email.toUpperCase())),
      ).toMatchObject({
        code: 'conflict',
      })
      expect((await invite(member, 'member')).invitation.role).toBe('member')
      for (const role of ['owner', 'viewer', 'member'])
        expect((await invite(owner, role)).invitation.role).toBe(role)
      expect(await team().listInvitations(viewer, { accountId: account.id })).toHaveLength(4)
    })

    it('takes an invitee from link to membership, once, and records who did what', async () => {
      const { account, owner } = await setUp()
      const email = freshEmail()
      const { invitation, token } = await team().createInvitation(owner, {
        accountId: account.id,
        email: `  ${email.toUpperCase()} `,
        role: 'viewer',
      })
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/)
      const inviter = await profile(owner)
      expect(invitation).toEqual({
        id: invitation.id,
        accountId: account.id,
        email,
        role: 'viewer',
        createdAt: clock(),
        expiresAt: clock() + 7 * day,
        invitedBy: { id: inviter.id, name: inviter.name, email: inviter.email },
      })
      expect(await team().listInvitations(owner, { accountId: account.id })).toEqual([invitation])
      expect(await newestEvent(account.id)).toMatchObject({
        actor: owner,
        action: 'invitation.created',
        targetType: 'invitation',
        targetId: invitation.id,
        details: { email, role: 'viewer' },
      })

      const invitee = await signUp(email)
      expect(await team().describeInvitation(invitee, { token })).toEqual({
        accountName: account.name,
        email,
        role: 'viewer',
        expiresAt: invitation.expiresAt,
      })
      expect(await team().acceptInvitation(invitee, { token })).toEqual({ account, role: 'viewer' })
      expect(await keyward.storage.memberships.roleOf(account.id, invitee.userId)).toBe('viewer')
      expect(await newestEvent(account.id)).toMatchObject({
        actor: invitee,
        action: 'member.added',
        targetType: 'member',
        targetId: invitee.userId,
        details: { role: 'viewer', invitationId: invitation.id },
      })
      expect(await team().listInvitations(owner, { accountId: account.id })).toEqual([])
      expect((await rejection(team().acceptInvitation(invitee, { token }))).code).toBe('not_found')
      expect((await rejection(team().describeInvitation(invitee, { token }))).code).toBe('not_found')
      expect(await keyward.storage.memberships.listByAccount(account.id)).toHaveLength(4)
    })

    it('accepts a token only once, even when two requests race', async () => {
      const { account, owner } = await setUp()
      const email = freshEmail()
      const { token } = await team().createInvitation(owner, { accountId: account.id, email, role: 'member' })
      const invitee = await signUp(email)
      const outcomes = await Promise.allSettled(
        [1, 2, 3].map(() => team().acceptInvitation(invitee, { token })),
      )
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1)
      const added = (await keyward.storage.events.listByAccount(account.id, 50)).filter(
        (e) => e.action === 'member.added' && e.targetId === invitee.userId,
      )
      expect(added).toHaveLength(1)
    })

    it('refuses another email address, and leaves the invitation pending', async () => {
      const { account, owner, outsider } = await setUp()
      const { token } = await team().createInvitation(owner, {
        accountId: account.id,
        email: freshEmail(),
        role: 'member',
      })
      expect(await rejection(team().acceptInvitation(outsider, { token }))).toEqual({
        code: 'forbidden',
        message: 'This invitation was sent to another email address',
      })
      expect(await keyward.storage.memberships.roleOf(account.id, outsider.userId)).toBeUndefined()
      expect(await team().listInvitations(owner, { accountId: account.id })).toHaveLength(1)
      expect((await rejection(team().acceptInvitation(operator, { token }))).code).toBe('not_found')
      expect((await rejection(team().describeInvitation(outsider, { token: 'nope' }))).code).toBe('not_found')
    })

    it('lets invites.manage revoke, after which the link is dead', async () => {
      const { account, owner, member, viewer } = await setUp()
      const email = freshEmail()
      const { invitation, token } = await team().createInvitation(owner, {
        accountId: account.id,
        email,
        role: 'member',
      })
      const revoke = (actor: Actor, accountId = account.id) =>
        team().revokeInvitation(actor, { accountId, invitationId: invitation.id })
      expect((await rejection(revoke(viewer))).code).toBe('forbidden')
      const other = await teamWithProject(keyward)
      expect((await rejection(revoke(other.owner, other.account.id))).code).toBe('not_found')
      await revoke(member)
      expect(await newestEvent(account.id)).toMatchObject({
        actor: member,
        action: 'invitation.revoked',
        targetType: 'invitation',
        targetId: invitation.id,
      })
      expect((await rejection(revoke(member))).code).toBe('not_found')
      expect(await team().listInvitations(owner, { accountId: account.id })).toEqual([])
      const invitee = await signUp(email)
      expect((await rejection(team().acceptInvitation(invitee, { token }))).code).toBe('not_found')
    })

    it('expires after seven days', async () => {
      const { account, owner } = await setUp()
      const email = freshEmail()
      const { token } = await team().createInvitation(owner, { accountId: account.id, email, role: 'member' })
      const invitee = await signUp(email)
      clock.advance(7 * day - 1)
      expect((await team().describeInvitation(invitee, { token })).email).toBe(email)
      clock.advance(1)
      expect(await team().listInvitations(owner, { accountId: account.id })).toEqual([])
      expect((await rejection(team().describeInvitation(invitee, { token }))).code).toBe('not_found')
      expect((await rejection(team().acceptInvitation(invitee, { token }))).code).toBe('not_found')
      expect(await keyward.storage.memberships.roleOf(account.id, invitee.userId)).toBeUndefined()
    })

    it('replaces an earlier pending invitation to the same address', async () => {
      const { account, owner } = await setUp()
      const email = freshEmail()
      const invite = (role: string) => team().createInvitation(owner, { accountId: account.id, email, role })
      const first = await invite('viewer')
      const second = await invite('member')
      const events = await keyward.storage.events.listByAccount(account.id, 2)
      expect(events.map((e) => [e.action, e.targetId, e.details])).toEqual(
        expect.arrayContaining([
          ['invitation.created', second.invitation.id, { email, role: 'member' }],
          ['invitation.revoked', first.invitation.id, { email, replacedBy: second.invitation.id }],
        ]),
      )
      expect(await team().listInvitations(owner, { accountId: account.id })).toEqual([second.invitation])
      const invitee = await signUp(email)
      expect((await rejection(team().acceptInvitation(invitee, { token: first.token }))).code).toBe(
        'not_found',
      )
      expect((await team().acceptInvitation(invitee, { token: second.token })).role).toBe('member')
    })

    it('uses up the invitation of someone who joined meanwhile, keeping their role', async () => {
      const { account, owner } = await setUp()
      const email = freshEmail()
      const { token } = await team().createInvitation(owner, { accountId: account.id, email, role: 'owner' })
      const invitee = await signUp(email)
      await keyward.services.accounts.addMember(operator, {
        accountId: account.id,
        userId: invitee.userId,
        role: 'viewer',
      })
      expect((await team().acceptInvitation(invitee, { token })).role).toBe('viewer')
      expect(await keyward.storage.memberships.roleOf(account.id, invitee.userId)).toBe('viewer')
      expect((await rejection(team().acceptInvitation(invitee, { token }))).code).toBe('not_found')
    })

    it('stores only the SHA-256 of the token', async () => {
      const { account, owner } = await setUp()
      const { invitation, token } = await team().createInvitation(owner, {
        accountId: account.id,
        email: freshEmail(),
        role: 'member',
      })
      const rows = await sql<Record<string, unknown>>`select * from invitations`.execute(keyward.database.db)
      expect(JSON.stringify(rows.rows)).not.toContain(token)
      const row = rows.rows.find((r) => r.id === invitation.id)
      expect(row?.token_hash).toBe(createHash('sha256').update(token).digest('hex'))
    })
  })
})
