import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { Link, useNavigate, useSearchParams } from 'react-router'
import { api } from '../api.ts'
import { AuthCard } from '../components/AuthCard.tsx'
import { TextField } from '../components/Field.tsx'
import { FormError } from '../components/QueryStates.tsx'
import { nextPath } from '../navigation.ts'

const minimumPassword = 12

function validate(name: string, email: string, password: string): string | null {
  if (!name.trim()) return 'Enter your name.'
  if (!/^[^\s@]+@[^\s@]+$/.test(email.trim())) return 'Enter a valid email address.'
  if (password.length < minimumPassword) return `Password must be at least ${minimumPassword} characters.`
  return null
}

export function SignUpPage() {
  const [search] = useSearchParams()
  const navigate = useNavigate()
  const queryClient = useQueryClient()
  const [name, setName] = useState('')
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const [problem, setProblem] = useState<string | null>(null)
  const signUp = useMutation({
    mutationFn: api.signUp,
    onSuccess: () => {
      queryClient.clear()
      navigate(nextPath(search), { replace: true })
    },
  })

  function submit(event: React.SubmitEvent<HTMLFormElement>) {
    event.preventDefault()
    const invalid = validate(name, email, password)
    setProblem(invalid)
    if (invalid) return
    signUp.mutate({ name: name.trim(), email: email.trim(), password })
  }

  const query = search.toString()
  return (
    <AuthCard
      title="Create your account"
      footer={
        <p>
          Already have an account? <Link to={`/sign-in${query ? `?${query}` : ''}`}>Sign in</Link>
        </p>
      }
    >
      <form className="stack" onSubmit={submit} noValidate>
        <FormError error={problem ?? signUp.error} />
        <TextField label="Name" autoComplete="name" value={name} onChange={setName} />
        <TextField label="Email" type="email" autoComplete="email" value={email} onChange={setEmail} />
        <TextField
          label="Password"
          type="password"
          autoComplete="new-password"
          value={password}
          onChange={setPassword}
          hint={`At least ${minimumPassword} characters.`}
        />
        <button
          type="submit"
          className="button primary block"
          disabled={signUp.isPending}
          aria-busy={signUp.isPending}
        >
          Create account
        </button>
      </form>
    </AuthCard>
  )
}
