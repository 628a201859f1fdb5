import { EventEmitter, once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { SMTPServer } from 'smtp-server'

export interface ReceivedMail {
  from: string
  to: string[]
  raw: string
}

/**
 * A real SMTP server on 127.0.0.1 (plain SMTP, AUTH PLAIN/LOGIN with `keyward:secret`). `refuse` decides, per
 * message, whether to answer 451 (a temporary failure the sender must retry).
 */
export async function startSmtpServer(refuse: (attempt: number) => boolean = () => false) {
  const received: ReceivedMail[] = []
  const arrivals = new EventEmitter()
  let attempts = 0
  const server = new SMTPServer({
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === 'keyward' && auth.password === 'secret') callback(null, { user: 'keyward' })
      else callback(new Error('Invalid username or password'))
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (chunk: Buffer) => chunks.push(chunk))
      stream.on('end', () => {
        attempts += 1
        if (refuse(attempts)) {
          arrivals.emit('refused')
          callback(Object.assign(new Error('Mailbox busy, try later'), { responseCode: 451 }))
          return
        }
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        })
        arrivals.emit('mail')
        callback()
      })
    },
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.server.address() as AddressInfo
  return {
    url: `smtp://keyward:secret@127.0.0.1:${port}`,
    received,
    attempts: () => attempts,
    async waitFor(count: number, timeoutMs = 20_000): Promise<ReceivedMail[]> {
      const signal = AbortSignal.timeout(timeoutMs)
      while (received.length < count)
        await once(arrivals, 'mail', { signal }).catch(() => {
          throw new Error(`received ${received.length} of ${count} mails`)
        })
      return received.slice(0, count)
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

const decodeQ = (text: string) =>
  Buffer.from(
    text.replace(/=([0-9A-F]{2})/gi, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16))),
    'latin1',
  ).toString('utf8')

/** The subject and text of a plain mail as nodemailer writes it (encoded words, quoted-printable body). */
export function readMail(raw: string): { subject: string; text: string } {
  const split = raw.indexOf('\r\n\r\n')
  const headers = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ')
  const body = raw.slice(split + 4)
  const subjectLine = headers.split('\r\n').find((h) => h.startsWith('Subject: ')) ?? ''
  const subject = subjectLine
    .slice('Subject: '.length)
    .replace(/\?= =\?UTF-8\?Q\?/gi, '')
    .replace(/=\?UTF-8\?Q\?(.*?)\?=/gi, (_, words: string) => decodeQ(words.replace(/_/g, ' ')))
  const quoted = /Content-Transfer-Encoding: quoted-printable/i.test(headers)
  const text = quoted ? decodeQ(body.replace(/=\r\n/g, '')) : body
  return { subject, text: text.replace(/\r\n/g, '\n') }
}
