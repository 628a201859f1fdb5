import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import fastifyStatic from '@fastify/static'
import type { FastifyInstance } from 'fastify'
import { messages } from '../../core/errors.ts'
import { sendError } from '../error-envelope.ts'

/** Where `npm run build:web` (Vite) writes the dashboard. */
export const defaultWebDist = fileURLToPath(new URL('../../../web/dist', import.meta.url))

const notBuilt = `<!doctype html><title>Keyward</title><h1>The dashboard is not built</h1>
<p>Run <code>npm run build:web</code> (npm ci does it), then reload. The APIs under /api work without it.</p>`

/**
 * The React dashboard: hashed assets under /assets (cached for good), and index.html for every other browser path
 * so that client-side routes survive a reload. Paths under /api and /assets never fall back to the page.
 * Both are sent as the brotli or gzip copy the build wrote beside them (web/vite.config.ts) when the browser accepts
 * one (`Vary: Accept-Encoding`), so nothing is compressed per request.
 */
export async function registerWebApp(app: FastifyInstance, distDir: string) {
  const assets = join(distDir, 'assets')
  if (existsSync(assets)) {
    await app.register(fastifyStatic, {
      root: assets,
      prefix: '/assets/',
      // `Cache-Control: public, max-age=31536000, immutable`: a file's name changes whenever its content does.
      immutable: true,
      maxAge: '365d',
      preCompressed: true,
      setHeaders: (reply) => reply.header('x-content-type-options', 'nosniff'),
    })
  }
  const hasIndex = existsSync(assets) && existsSync(join(distDir, 'index.html'))
  app.setNotFoundHandler(async (request, reply) => {
    const path = request.url.split('?', 1)[0] ?? '/'
    // Programs, not browsers, ask for /.well-known/ documents: they get JSON, never the page.
    const notAPage =
      path === '/api' ||
      path.startsWith('/api/') ||
      path.startsWith('/assets/') ||
      path.startsWith('/.well-known/')
    if ((request.method !== 'GET' && request.method !== 'HEAD') || notAPage)
      return sendError(reply, 'not_found', messages.notFound)
    // The page names this build's hashed assets: it must be revalidated, while the assets may be kept for good.
    reply.header('cache-control', 'no-cache')
    if (!hasIndex) return reply.code(503).type('text/html').send(notBuilt)
    return reply.sendFile('index.html', distDir, { cacheControl: false })
  })
}
