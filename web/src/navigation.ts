/** Where to go after signing in: a same-site path from `?next=`, or the root (which picks an account). */
export function nextPath(search: URLSearchParams): string {
  const next = search.get('next')
  return next?.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/'
}

/** `/sign-in?next=<here>`, to come back after signing in. */
export function signInPath(location: { pathname: string; search: string }, page = '/sign-in'): string {
  const here = location.pathname + location.search
  return here === '/' ? page : `${page}?next=${encodeURIComponent(here)}`
}
