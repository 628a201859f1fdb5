/**
 * Key-shaped text: a run of 64 or more hex characters, each written as itself or percent-encoded (`%61` is `a`).
 * A key is a prefix and 64 hex, and the prefix is configurable, so the hex run alone decides: any prefix, a key
 * minted under an earlier prefix or by another deployment, a key glued to other hex. Nothing Keyward puts in a path
 * or a log line (UUIDs, numbers) has such a run, so nothing legitimate is lost. The lookbehind starts a match only
 * where a run starts, never inside an escape (the `5f` of `%5f`), which also keeps a path of many 63-character runs
 * linear.
 */
const hexCharacter = '(?:[0-9a-f]|%(?:3[0-9]|[46][1-6]))'
const hexCharacterBefore = '(?:(?<!%[0-9a-f]?)[0-9a-f]|%(?:3[0-9]|[46][1-6]))'
const keyShaped = new RegExp(`(?<!${hexCharacterBefore}|%[0-9a-f]?)${hexCharacter}{64,}`, 'gi')
const shownHex = 4

function decodeHex(run: string): string {
  return run.replace(/%([0-9a-f]{2})/gi, (_, code: string) => String.fromCharCode(Number.parseInt(code, 16)))
}

/**
 * Replaces every key-shaped token with its first 4 hex and `…`: `dtk_live_1a2b…`, the display prefix the
 * dashboard already shows for keys, so an operator can tell which key leaked and revoke it. The prefix word before
 * the hex is left as it is (it is not secret).
 */
export function redactKeys(text: string): string {
  // Shorter text cannot hold 64 hex characters: the hot path pays a length check only.
  if (text.length < 64) return text
  return text.replace(keyShaped, (run) => `${decodeHex(run).slice(0, shownHex)}…`)
}
