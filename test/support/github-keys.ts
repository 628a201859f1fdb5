import { createHash, generateKeyPairSync, type KeyObject, sign } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/** An ECDSA P-256 key pair standing in for one of GitHub's secret scanning keys. */
export interface SigningKey {
  identifier: string
  privateKey: KeyObject
  pem: string
}

export function signingKey(): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
  const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString()
  return { identifier: createHash('sha256').update(pem).digest('hex'), privateKey, pem }
}

/** GitHub's `Github-Public-Key-Signature`: base64 of the DER ECDSA signature of the body's SHA-256. */
export const signBody = (key: SigningKey, body: string | Buffer) =>
  sign('sha256', Buffer.from(body), key.privateKey).toString('base64')

/** The headers GitHub sends with a report signed by `key`. */
export const reportHeaders = (key: SigningKey, body: string | Buffer) => ({
  'content-type': 'application/json',
  'github-public-key-identifier': key.identifier,
  'github-public-key-signature': signBody(key, body),
})

/**
 * GitHub's key list (`{public_keys: [{key_identifier, key, is_current}]}`) served on loopback. `publish` replaces the
 * keys it lists (a rotation); `fetches` counts how often it was asked.
 */
export async function keyListServer(initial: SigningKey[]) {
  let keys = initial
  let fetches = 0
  const server: Server = createServer((_request, response) => {
    fetches++
    const body = JSON.stringify({
      public_keys: keys.map((k, i) => ({ key_identifier: k.identifier, key: k.pem, is_current: i === 0 })),
    })
    response.writeHead(200, { 'content-type': 'application/json' }).end(body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/meta/public_keys/secret_scanning`,
    publish(next: SigningKey[]) {
      keys = next
    },
    fetches: () => fetches,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
