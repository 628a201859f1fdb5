import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { Page } from 'playwright-core'

// Evaluated rather than added as a <script> tag: the server's Content-Security-Policy refuses inline scripts, and
// the test must not loosen it (bypassCSP would hide the very CSP faults the dashboard has had).
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core'), 'utf8')

interface AxeFinding {
  id: string
  impact: string | null
  help: string
  nodes: { target: unknown[]; failureSummary?: string }[]
}

/** Waits until the finite animations end: a dialog fading or sliding in has neither its final colours nor place. */
export async function animationsSettled(page: Page): Promise<void> {
  await page.evaluate(() =>
    Promise.all(
      document
        .getAnimations()
        .filter((animation) => animation.effect?.getTiming().iterations !== Number.POSITIVE_INFINITY) // spinners
        .map((animation) => animation.finished.catch(() => undefined)),
    ),
  )
}

/**
 * Runs axe-core (injected from node_modules: @axe-core/playwright needs Node 22) on what the page shows now, and
 * returns its serious and critical violations as readable lines, so a failing assertion says what and where.
 */
export async function seriousA11yFindings(page: Page): Promise<string[]> {
  await animationsSettled(page)
  const loaded = await page.evaluate(() => typeof (window as { axe?: unknown }).axe === 'object')
  if (!loaded) await page.evaluate(axeSource)
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: { run: (context: unknown, options: unknown) => Promise<{ violations: AxeFinding[] }> }
      }
    ).axe
    const result = await axe.run(document, { resultTypes: ['violations'] })
    return result.violations
  })
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) =>
      v.nodes.map((node) => `${v.impact} ${v.id} (${v.help}) at ${JSON.stringify(node.target)}`),
    )
}
