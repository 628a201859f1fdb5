import { createContext, useContext } from 'react'
import type { AccountSummary, Permission, User } from './api.ts'

export interface AccountContextValue {
  account: AccountSummary
  user: User
}

export const AccountContext = createContext<AccountContextValue | null>(null)

/** The account of the current `/a/:accountId/...` page and the signed-in user (inside AccountLayout only). */
export function useAccount(): AccountContextValue {
  const value = useContext(AccountContext)
  if (!value) throw new Error('useAccount() outside an account page')
  return value
}

/** Whether the signed-in user holds `permission` in the current account. The server checks again regardless. */
export function useCan(permission: Permission): boolean {
  return useAccount().account.permissions.includes(permission)
}
