/**
 * Slows password guessing and account farming. Every attempt is counted before the password is checked, so that
 * parallel guesses count as much as sequential ones; a correct password gives its attempt back.
 */
export interface SignInThrottle {
  /** Takes one sign-in attempt from the budgets of this client, this email and the pair; seconds to wait, or 0. */
  attemptSignIn(client: string, email: string): Promise<number>
  /** A correct password: the attempt is given back, and the pair's failures are forgotten. */
  signedIn(client: string, email: string): Promise<void>
  /** Takes one sign-up from this client's budget; seconds to wait, or 0. */
  attemptSignUp(client: string): Promise<number>
  /** Takes one OAuth client registration (open, RFC 7591) from this client's budget; seconds to wait, or 0. */
  attemptClientRegistration(client: string): Promise<number>
  close(): Promise<void>
}
