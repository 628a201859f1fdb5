import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { Link, useNavigate, useSearchParams } from 'react-router'
import { api } from '../api.ts'
import { AuthCard } from '../components/AuthCard.tsx'
import { TextField } from '../components/Field.tsx'
import { FormError } from '../components/QueryStates.tsx'
import { nextPath } from '../navigation.ts'

export function SignInPage() {
  const [search] = useSearchParams()
  const navigate = useNavigate()
  const queryClient = useQueryClient()
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const [problem, setProblem] = useState<string | null>(null)
  const signIn = useMutation({
    mutationFn: api.signIn,
    onSuccess: () => {
      queryClient.clear()
      navigate(nextPath(search), { replace: true })
    },
  })

  function submit(event: React.SubmitEvent<HTMLFormElement>) {
    event.preventDefault()
    if (!email.trim() || !password) {
      setProblem('Enter your email and password.')
      return
    }
    setProblem(null)
    signIn.mutate({ email: email.trim(), password })
  }

  const query = search.toString()
  return (
    <AuthCard
      title="Sign in"
      footer={
        <p>
          New to Keyward? <Link to={`/sign-up${query ? `?${query}` : ''}`}>Create an account</Link>
        </p>
      }
    >
      <form className="stack" onSubmit={submit} noValidate>
        {nextPath(search).startsWith('/oauth/consent/') ? (
          <p className="muted">An app asks to connect to Keyward: sign in to choose what it may do.</p>
        ) : null}
        <FormError error={problem ?? signIn.error} />
        <TextField label="Email" type="email" autoComplete="email" value={email} onChange={setEmail} />
        <TextField
          label="Password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={setPassword}
        />
        <button
          type="submit"
          className="button primary block"
          disabled={signIn.isPending}
          aria-busy={signIn.isPending}
        >
          Sign in
        </button>
      </form>
    </AuthCard>
  )
}
