import type { ReactNode } from 'react'
import { KeywardLogo } from './icons.tsx'

/** The centred card of the signed-out pages. */
export function AuthCard({
  title,
  children,
  footer,
  wide = false,
}: {
  title: string
  children: ReactNode
  footer?: ReactNode
  /** Room for a form with more than a few fields (the OAuth consent's scopes). */
  wide?: boolean
}) {
  return (
    <main className="auth-page">
      <title>{`${title} · Keyward`}</title>
      <div className={wide ? 'auth-card auth-card-wide' : 'auth-card'}>
        <p className="auth-brand">
          <KeywardLogo className="brand-logo" />
          Keyward
        </p>
        <h1 className="auth-title">{title}</h1>
        {children}
      </div>
      {footer ? <div className="auth-footer">{footer}</div> : null}
    </main>
  )
}
