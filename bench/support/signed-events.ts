/**
 * The events `bench/ingest.ts` sends: `count` distinct GHL ContactCreate webhooks, each signed
 * with the given Ed25519 key, built before any clock starts.
 */
import { randomUUID, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

export interface SignedEvent {
  body: Buffer;
  /** Base64, for the `x-ghl-signature` header. */
  signature: string;
}

export function signedEvents(count: number, key: KeyObject): SignedEvent[] {
  return Array.from({ length: count }, (_, i) => {
    const body = Buffer.from(
      JSON.stringify({
        type: 'ContactCreate',
        locationId: 've9EPM428h8vShlRW1KT',
        id: `contact${String(i).padStart(13, '0')}`,
        firstName: 'Load',
        lastName: `Test ${i}`,
        email: `load${i}@example.com`,
        phone: '+14155550100',
        tags: [],
        timestamp: new Date().toISOString(),
        webhookId: randomUUID(),
      }),
    );
    return { body, signature: sign(null, body, key).toString('base64') };
  });
}
