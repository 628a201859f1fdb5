import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useNavigate } from 'react-router'
import { api, isUnauthorized } from '../api.ts'
import { FormError } from './QueryStates.tsx'

export function SignOutButton({ className = 'button' }: { className?: string }) {
  const queryClient = useQueryClient()
  const navigate = useNavigate()
  const signOut = useMutation({ mutationFn: api.signOut })

  function leave() {
    queryClient.clear()
    navigate('/sign-in', { replace: true })
  }

  return (
    <>
      <button
        type="button"
        className={className}
        onClick={() =>
          signOut.mutate(undefined, {
            onSuccess: leave,
            // A 401 means the session had already ended: signed out all the same.
            onError: (error) => {
              if (isUnauthorized(error)) leave()
            },
          })
        }
        disabled={signOut.isPending}
        aria-busy={signOut.isPending}
      >
        Sign out
      </button>
      <FormError error={signOut.error && !isUnauthorized(signOut.error) ? signOut.error : null} />
    </>
  )
}
