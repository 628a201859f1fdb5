import type { Kysely } from 'kysely'
import type { User } from '../core/model.ts'
import type { UserDirectory } from '../core/ports.ts'
import type { KeywardTables } from '../storage/schema.ts'
import type { Auth } from './auth.ts'

/**
 * Reads users straight from the table better-auth owns; creates them through better-auth so that the password is
 * hashed and stored its way. `getAuth` is lazy because loading better-auth costs most of a CLI command's start-up.
 */
export function userDirectory(db: Kysely<KeywardTables>, getAuth: () => Promise<Auth>): UserDirectory {
  const find = async (column: 'id' | 'email', value: string): Promise<User | undefined> =>
    db.selectFrom('users').select(['id', 'email', 'name']).where(column, '=', value).executeTakeFirst()

  return {
    findByEmail: (email) => find('email', email.trim().toLowerCase()),
    findById: (id) => find('id', id),
    async createWithPassword({ email, name, password }) {
      const auth = await getAuth()
      const { user } = await auth.api.signUpEmail({ body: { email, name, password } })
      return { id: user.id, email: user.email, name: user.name }
    },
  }
}
