/** Slows password guessing: failed sign-ins are counted per client IP and per email. */
export interface SignInThrottle {
  /** Seconds to wait before trying again, or 0 when this IP and this email may try now. */
  waitSeconds(ip: string, email: string): Promise<number>
  recordFailure(ip: string, email: string): Promise<void>
  /** A correct password clears the email's failures (not the IP's: one right guess must not unlock a spray). */
  recordSuccess(email: string): Promise<void>
  close(): Promise<void>
}
