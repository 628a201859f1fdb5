/**
 * Where to go after signing in: a path of this site from `?next=`, or the root (which picks an account). Anything
 * that would leave the site (`//evil.test`, `/\evil.test`, `https://…`, a tab or newline that the URL parser drops
 * to make `//`) is refused by resolving it as the browser would and comparing the origin.
 */
export function nextPath(search: URLSearchParams, origin = 'http://keyward.invalid'): string {
  const next = search.get('next')
  if (!next?.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/'
  let resolved: URL
  try {
    resolved = new URL(next, origin)
  } catch {
    return '/'
  }
  if (resolved.origin !== origin) return '/'
  return resolved.pathname + resolved.search + resolved.hash
}

/** `/sign-in?next=<here>`, to come back after signing in. */
export function signInPath(location: { pathname: string; search: string }, page = '/sign-in'): string {
  const here = location.pathname + location.search
  return here === '/' ? page : `${page}?next=${encodeURIComponent(here)}`
}
