import { useEffect, useId, useState } from 'react'
import { Link, NavLink, useLocation } from 'react-router'
import type { AccountSummary, Me } from '../api.ts'
import { AccountSwitcher } from './AccountSwitcher.tsx'
import { KeywardLogo, MenuIcon } from './icons.tsx'
import { SignOutButton } from './SignOutButton.tsx'

const sections = [
  { path: 'home', label: 'Home' },
  { path: 'projects', label: 'Projects' },
  { path: 'team', label: 'Team' },
  { path: 'keys', label: 'API Keys' },
  { path: 'webhooks', label: 'Webhooks' },
  { path: 'activity', label: 'Agent Activity' },
  { path: 'history', label: 'History' },
] as const

/**
 * The account's navigation. On a narrow screen (styles.css, "Narrow screens") it folds into a top bar with a Menu
 * button, so a phone shows the page rather than 340 px of links; choosing a page folds it again.
 */
export function Sidebar({ me, accountId, account }: { me: Me; accountId: string; account?: AccountSummary }) {
  const panelId = useId()
  const [open, setOpen] = useState(false)
  const { pathname } = useLocation()
  // biome-ignore lint/correctness/useExhaustiveDependencies: folding again is the point of a new path
  useEffect(() => setOpen(false), [pathname])
  return (
    <aside className={open ? 'sidebar open' : 'sidebar'}>
      <div className="sidebar-bar">
        <Link to="/" className="brand">
          <KeywardLogo className="brand-logo" />
          Keyward
        </Link>
        <button
          type="button"
          className="button small sidebar-menu-button"
          aria-expanded={open}
          aria-controls={panelId}
          onClick={() => setOpen(!open)}
        >
          <MenuIcon />
          Menu
        </button>
      </div>
      <div className="sidebar-panel" id={panelId}>
        <div className="sidebar-account">
          <AccountSwitcher accounts={me.accounts} current={account} />
        </div>
        <nav className="sidebar-nav" aria-label="Main">
          <ul>
            {sections.map((section) => (
              <li key={section.path}>
                <NavLink
                  to={`/a/${accountId}/${section.path}`}
                  className="nav-link"
                  onClick={() => setOpen(false)}
                >
                  {section.label}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <div className="sidebar-footer">
          <div className="user">
            <span className="user-name">{me.user.name}</span>
            <span className="user-email">{me.user.email}</span>
          </div>
          <SignOutButton className="button small block" />
        </div>
      </div>
    </aside>
  )
}
