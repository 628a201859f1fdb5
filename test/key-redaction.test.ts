import { mkdtempSync, rmSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { afterAll, describe, expect, it } from 'vitest'
import { operator } from '../src/core/model.ts'
import { appDeps, type Keyward } from '../src/main.ts'
import { buildApp } from '../src/transport/http/app.ts'
import { teamWithProject, withKeywardOnFile } from './support/keyward.ts'
import { toolCall } from './support/mcp.ts'
import { rawHttp } from './support/raw-http.ts'

/** A key's 64 hex characters, however they are written: as they are, or percent-encoded one by one. */
const keyHex = /[0-9a-f]{64}/i
const decode = (text: string) =>
  text.replace(/%([0-9a-f]{2})/gi, (_, code: string) => String.fromCharCode(Number.parseInt(code, 16)))
const percentEncode = (text: string) =>
  [...text].map((c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`).join('')

const dir = mkdtempSync(join(tmpdir(), 'keyward-redaction-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

async function keyOf(keyward: Keyward) {
  const { project } = await teamWithProject(keyward)
  const created = await keyward.services.keys.create(operator, { projectId: project.id, name: 'careless' })
  return { projectId: project.id, key: created.key }
}

describe('a key sent where keys do not belong', () => {
  it('is redacted from the activity rows the writer thread stores: path, MCP tool name and id, user agent', async () => {
    await withKeywardOnFile(join(dir, 'rows.db'), async (keyward) => {
      const { projectId, key } = await keyOf(keyward)
      const webhooks = `/api/v2/projects/${projectId}/webhooks`
      const app = await buildApp({ ...appDeps(keyward), logLevel: 'silent' })
      try {
        await app.listen({ port: 0, host: '127.0.0.1' })
        const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
        const auth = { authorization: `Bearer ${key}` }
        const answers = await Promise.all([
          fetch(`${base}${webhooks}/${key}`, { headers: { ...auth, 'user-agent': `agent ${key}` } }),
          fetch(`${base}${webhooks}/${percentEncode(key)}`),
          // A key where the project id goes: refused as another project's, and that id is shown to members.
          fetch(`${base}/api/v2/projects/${key}/webhooks`, { headers: auth }),
          fetch(`${base}/api/mcp`, {
            method: 'POST',
            headers: {
              ...auth,
              'content-type': 'application/json',
              accept: 'application/json, text/event-stream',
            },
            body: JSON.stringify({ ...toolCall(key), id: `${key}${'x'.repeat(200)}` }),
          }),
        ])
        expect(answers.map((a) => a.status)).toEqual([404, 401, 403, 200])
        await keyward.activity.flush()
      } finally {
        await app.close()
      }

      const rows = await keyward.database.db
        .selectFrom('activity')
        .select(['status', 'path', 'route', 'rpc_id', 'user_agent', 'requested_project_id'])
        .orderBy('status')
        .orderBy('path')
        .execute()
      const shown = key.slice(0, 'dtk_live_'.length + 4)
      expect(rows).toEqual([
        {
          status: 401,
          path: `${webhooks}/${percentEncode('dtk_live_')}${key.slice(9, 13)}…`,
          route: null,
          rpc_id: null,
          user_agent: 'node',
          requested_project_id: null,
        },
        {
          status: 403,
          path: `/api/v2/projects/${shown}…/webhooks`,
          route: '/api/v2/projects/:projectId/webhooks',
          rpc_id: null,
          user_agent: 'node',
          requested_project_id: `${shown}…`,
        },
        {
          status: 404,
          path: '/api/mcp',
          route: `${shown}…`,
          // A client's id is capped, after the key in it was redacted.
          rpc_id: `${shown}…${'x'.repeat(100 - shown.length - 1)}`,
          user_agent: 'node',
          requested_project_id: null,
        },
        {
          status: 404,
          path: `${webhooks}/${shown}…`,
          route: null,
          rpc_id: null,
          user_agent: `agent ${shown}…`,
          requested_project_id: null,
        },
      ])
      expect(decode(JSON.stringify(rows))).not.toMatch(keyHex)
    })
  })

  it('is redacted from every server log line, and the raw bytes of a refused request are never logged', async () => {
    await withKeywardOnFile(join(dir, 'log.db'), async (keyward) => {
      const { projectId, key } = await keyOf(keyward)
      const lines: string[] = []
      const logStream = new Writable({
        write(chunk, _encoding, done) {
          lines.push(...String(chunk).trim().split('\n'))
          done()
        },
      })
      // A driver error that echoes a value it was given, as SQL drivers do ("invalid input syntax: …").
      const deps = appDeps(keyward)
      const failing = {
        ...keyward.storage.webhooks,
        listActive: () => Promise.reject(new Error(`invalid input syntax: "${key}"`)),
      }
      const app = await buildApp({
        ...deps,
        // Without the list cache, which holds the real store: the list is read from the failing one.
        webhooks: {
          ...deps.webhooks,
          storage: { ...keyward.storage, webhooks: failing },
          webhookLists: undefined,
        },
        logStream,
        logLevel: 'trace',
      })
      try {
        await app.listen({ port: 0, host: '127.0.0.1' })
        const port = (app.server.address() as AddressInfo).port
        const webhooks = `/api/v2/projects/${projectId}/webhooks`
        const failed = await fetch(`http://127.0.0.1:${port}${webhooks}`, {
          headers: { authorization: `Bearer ${key}` },
        })
        expect(failed.status).toBe(500)
        const tooLarge = await rawHttp(
          port,
          `GET ${webhooks} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${key}\r\n` +
            `X-Padding: ${'a'.repeat(17 * 1024)}\r\n\r\n`,
        )
        expect(tooLarge.status).toBe(431)
      } finally {
        await app.close()
      }

      const log = lines.join('\n')
      const shown = `${key.slice(0, 'dtk_live_'.length + 4)}…`
      expect(lines.map((line) => JSON.parse(line).err?.message)).toContain(`invalid input syntax: "${shown}"`)
      expect(log).not.toMatch(keyHex)
      // A Buffer is logged as its bytes: the key must not be there either.
      expect(log).not.toContain(JSON.stringify([...Buffer.from(key)]).slice(1, -1))
      expect(log).not.toContain('rawPacket')
    })
  })
})
