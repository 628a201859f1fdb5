import { createTransport } from 'nodemailer'
import type { MailSender } from '../core/mail.ts'

/**
 * Sends notice mails over SMTP with nodemailer: `smtp://` (STARTTLS when the server offers it) or `smtps://`
 * (TLS from the start), with the credentials of the URL. One pooled transport per process.
 */
export function createMailSender(
  smtpUrl: string,
  options: { timeoutMs?: number } = {},
): MailSender & {
  close(): void
} {
  const timeoutMs = options.timeoutMs ?? 30_000
  const transport = createTransport({
    url: smtpUrl,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  })
  return {
    async send(mail) {
      await transport.sendMail(mail)
    },
    close: () => transport.close(),
  }
}
