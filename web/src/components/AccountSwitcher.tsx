import { DropdownMenu } from 'radix-ui'
import { useId } from 'react'
import { useLocation, useNavigate } from 'react-router'
import type { AccountSummary } from '../api.ts'
import { roleLabels } from '../catalogue.ts'
import { CheckIcon, ChevronDownIcon } from './icons.tsx'

/**
 * The account menu of the sidebar header, named "Account <current account>". Non-modal: a modal menu's scroll
 * lock injects a `<style>` tag, which the Content-Security-Policy refuses.
 */
export function AccountSwitcher({
  accounts,
  current,
}: {
  accounts: AccountSummary[]
  current?: AccountSummary
}) {
  const labelId = useId()
  const nameId = useId()
  const navigate = useNavigate()
  const location = useLocation()
  const section = location.pathname.split('/')[3] || 'home'

  return (
    <div className="account-switcher">
      <span id={labelId} className="account-switcher-label">
        Account
      </span>
      <DropdownMenu.Root modal={false}>
        <DropdownMenu.Trigger className="account-trigger" aria-labelledby={`${labelId} ${nameId}`}>
          <span id={nameId} className="account-trigger-name">
            {current?.name ?? 'Choose an account'}
          </span>
          <ChevronDownIcon className="account-trigger-icon" />
        </DropdownMenu.Trigger>
        <DropdownMenu.Portal>
          <DropdownMenu.Content className="menu" align="start" sideOffset={6}>
            <DropdownMenu.Label className="menu-label">Accounts</DropdownMenu.Label>
            <DropdownMenu.RadioGroup
              value={current?.id ?? ''}
              onValueChange={(id) => navigate(`/a/${id}/${section}`)}
            >
              {accounts.map((account) => (
                <DropdownMenu.RadioItem key={account.id} value={account.id} className="menu-item">
                  <span className="menu-item-indicator">
                    <DropdownMenu.ItemIndicator>
                      <CheckIcon />
                    </DropdownMenu.ItemIndicator>
                  </span>
                  <span className="menu-item-text">{account.name}</span>
                  <span className="menu-item-meta">{roleLabels[account.role]}</span>
                </DropdownMenu.RadioItem>
              ))}
            </DropdownMenu.RadioGroup>
          </DropdownMenu.Content>
        </DropdownMenu.Portal>
      </DropdownMenu.Root>
    </div>
  )
}
