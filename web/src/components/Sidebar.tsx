import { Link, NavLink } from 'react-router'
import type { AccountSummary, Me } from '../api.ts'
import { AccountSwitcher } from './AccountSwitcher.tsx'
import { KeywardLogo } from './icons.tsx'
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

export function Sidebar({ me, accountId, account }: { me: Me; accountId: string; account?: AccountSummary }) {
  return (
    <aside className="sidebar">
      <div className="sidebar-header">
        <Link to="/" className="brand">
          <KeywardLogo className="brand-logo" />
          Keyward
        </Link>
        <AccountSwitcher accounts={me.accounts} current={account} />
      </div>
      <nav className="sidebar-nav" aria-label="Main">
        <ul>
          {sections.map((section) => (
            <li key={section.path}>
              <NavLink to={`/a/${accountId}/${section.path}`} className="nav-link">
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
    </aside>
  )
}
