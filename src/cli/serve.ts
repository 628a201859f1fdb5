import type { Config } from '../config.ts'
import { ensureDemo } from '../core/demo.ts'
import { composeKeyward, servedAppDeps } from '../main.ts'
import { buildApp } from '../transport/http/app.ts'
import { describeDemo, printJson } from './output.ts'

/** Serves until SIGTERM/SIGINT, then stops accepting, finishes in-flight requests and closes the database. */
export async function serve(config: Config, options: { demo: boolean; json: boolean }): Promise<void> {
  const keyward = await composeKeyward(config)
  const demo =
    options.demo && (await keyward.storage.accounts.count()) === 0 ? await ensureDemo(keyward) : undefined
  const app = await buildApp(await servedAppDeps(keyward))
  await keyward.database.checkpoint() // so that the first activity rows are not written behind start-up's pages
  keyward.activity.start()
  await keyward.keyChanges?.start()
  keyward.log.use(app.log)
  keyward.webhookDispatcher.start()
  keyward.exposures.start() // also picks up leak reports a stopped node left unfinished
  keyward.auditStreamer?.start()
  keyward.lifecycle.start()
  if (keyward.mailDispatcher) keyward.mailDispatcher.start()
  // Once per start: everything else works without SMTP, so its absence is news, not a warning.
  else app.log.info('email notices are off (set SMTP_URL and KEYWARD_MAIL_FROM to send them)')
  const resumeBriefs = () =>
    keyward.services.analytics
      .resumeStalledBriefs()
      .catch((error) => app.log.warn({ err: error }, 'brief resume failed'))
  void resumeBriefs()
  const briefTimer = setInterval(resumeBriefs, 30_000).unref()
  const address = await app.listen({ port: config.port, host: config.host })
  const url = `http://localhost:${(app.server.address() as { port: number }).port}`

  if (options.json) printJson({ url, demo: demo ?? null })
  else {
    if (demo) process.stdout.write(describeDemo(demo, url))
    process.stdout.write(`Keyward is serving on ${url} (listening on ${address})\n`)
  }

  let stopping = false
  const stop = async (signal: string) => {
    if (stopping) return
    stopping = true
    clearInterval(briefTimer)
    app.log.info({ signal }, 'shutting down')
    await app.close() // stops accepting and waits for in-flight requests
    await keyward.close() // then flushes activity and last-used buffers and closes the database
    process.exit(0)
  }
  process.once('SIGTERM', () => void stop('SIGTERM'))
  process.once('SIGINT', () => void stop('SIGINT'))
}
