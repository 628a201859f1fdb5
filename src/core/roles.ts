export const roles = ['owner', 'member', 'viewer'] as const
export type Role = (typeof roles)[number]

export const permissions = [
  'settings.manage',
  'invites.manage',
  'roles.manage',
  'billing.manage',
  'members.manage',
] as const
export type Permission = (typeof permissions)[number]

const grants: Record<Role, readonly Permission[]> = {
  owner: permissions,
  member: ['settings.manage', 'invites.manage'],
  viewer: [],
}

export function isRole(value: string): value is Role {
  return (roles as readonly string[]).includes(value)
}

export function roleHas(role: Role, permission: Permission): boolean {
  return grants[role].includes(permission)
}

export function permissionsOf(role: Role): readonly Permission[] {
  return grants[role]
}
