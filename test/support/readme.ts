/** One fenced shell example of a Markdown document. */
export interface ShellExample {
  /** 1-based line of the opening fence, to name the example in test output. */
  line: number
  code: string
  /** Why the example is not run, from a `<!-- readme-test: skip, REASON -->` comment right above it. */
  skip?: string
}

const fence = /^```(sh|bash|shell)\s*$/
const skipMarker = /^<!--\s*readme-test:\s*skip\b[,:]?\s*(.*?)\s*-->$/

/**
 * Every ```sh, ```bash and ```shell block, in order. All of them are examples to run unless the line right above the
 * fence (blank lines aside) is a skip marker with a reason, so a new example is run without anyone listing it.
 */
export function shellExamples(markdown: string): ShellExample[] {
  const lines = markdown.split('\n')
  const examples: ShellExample[] = []
  for (let i = 0; i < lines.length; i++) {
    if (!fence.test(lines[i] ?? '')) continue
    const end = lines.findIndex((l, j) => j > i && l.startsWith('```'))
    if (end < 0) throw new Error(`unclosed code fence at line ${i + 1}`)
    let above = i - 1
    while (above >= 0 && lines[above]?.trim() === '') above--
    const skip = lines[above]?.trim().match(skipMarker)?.[1]
    examples.push({
      line: i + 1,
      code: lines.slice(i + 1, end).join('\n'),
      ...(skip !== undefined ? { skip } : {}),
    })
    i = end
  }
  return examples
}

/**
 * The example as the reader runs it after filling in its placeholders: `NAME=…` or `NAME=/path/to/…` becomes
 * `NAME='value'`, and the documented address `localhost:3000` the server's. A placeholder the test has no value
 * for is an error, so an example cannot introduce a name the README does not explain.
 */
export function fillIn(code: string, values: Record<string, string>, serverUrl: string): string {
  return code
    .replaceAll('http://localhost:3000', serverUrl)
    .replaceAll('localhost:3000', serverUrl.replace(/^https?:\/\//, ''))
    .replace(/\b([A-Z][A-Z0-9_]*)=(\S*…\S*|\/path\/to\/\S*)/g, (_all, name: string) => {
      const value = values[name]
      if (value === undefined) throw new Error(`no value for the README placeholder ${name}`)
      return `${name}='${value}'`
    })
}

/** The names an example assigns a placeholder to (`export KEY=… PROJECT=…`). */
export const placeholdersOf = (code: string) =>
  [...code.matchAll(/\b([A-Z][A-Z0-9_]*)=(?:\S*…\S*|\/path\/to\/\S*)/g)].map((m) => m[1] ?? '')
