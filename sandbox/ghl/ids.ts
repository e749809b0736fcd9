/**
 * GHL-style identifiers: 20 alphanumeric characters (Firestore-like), e.g. `seD4PfOuKoVMLkEZqohJ`.
 */
import type { Prng } from '../shared/prng.ts';

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const HEX = '0123456789abcdef';
const FIREBASE_ID = /^[A-Za-z0-9]{20}$/;

/** Whether `value` looks like a GHL entity id (GHL answers 400 "... is not a valid firebase id" otherwise). */
export function isFirebaseId(value: string): boolean {
  return FIREBASE_ID.test(value);
}

function randomFrom(prng: Prng, alphabet: string, length: number): string {
  // Char codes then one fromCharCode: seeding 100k ids must not churn through cons-strings.
  const codes = new Array<number>(length);
  for (let i = 0; i < length; i++) codes[i] = alphabet.charCodeAt(prng.int(alphabet.length));
  return String.fromCharCode(...codes);
}

/** A 20-character alphanumeric id from the stream. */
export function nextId(prng: Prng): string {
  return randomFrom(prng, ALPHANUMERIC, 20);
}

/** `length` lowercase hex digits (Mongo-style ids for app and version ids). */
export function nextHex(prng: Prng, length: number): string {
  return randomFrom(prng, HEX, length);
}

/** `length` lowercase alphanumerics (client-id suffix). */
export function nextLowerAlnum(prng: Prng, length: number): string {
  return randomFrom(prng, 'abcdefghijklmnopqrstuvwxyz0123456789', length);
}

/** A UUID-shaped string from the stream (deterministic, unlike crypto.randomUUID). */
export function nextUuid(prng: Prng): string {
  const hex = nextHex(prng, 32);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`;
}
