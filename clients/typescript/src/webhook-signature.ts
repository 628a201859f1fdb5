import { createHmac, timingSafeEqual } from 'node:crypto'

/**
 * Whether `header` (the `X-DevTune-Signature` of a delivery) is the HMAC-SHA256 hex digest of the raw `body`,
 * keyed with the subscription's secret. Pass the body exactly as received, before any JSON parsing: re-serialised
 * JSON is not the signed text. Compared in constant time.
 */
export function verifyWebhookSignature(
  body: string | Uint8Array,
  header: string | null | undefined,
  secret: string,
): boolean {
  if (!header || !/^[0-9a-f]{64}$/i.test(header)) return false
  const expected = createHmac('sha256', secret).update(body).digest()
  return timingSafeEqual(expected, Buffer.from(header, 'hex'))
}
