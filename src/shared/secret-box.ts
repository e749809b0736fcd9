/**
 * Encryption at rest for credentials (ARCHITECTURE.md §5 "Secrets"): AES-256-GCM with a random
 * 96-bit IV per message and the record's id as additional authenticated data, so a ciphertext
 * copied onto another record does not decrypt. Sealed form: `v1.<iv>.<tag>.<ciphertext>`, each
 * part base64url.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { AppError } from './errors.ts';

const VERSION = 'v1';
const KEY_BYTES = 32;
const IV_BYTES = 12;

/**
 * Reads a 256-bit key written as 64 hex digits or as base64/base64url of 32 bytes; throws
 * `secret_key_invalid` saying how to make one otherwise.
 */
export function parseSecretKey(text: string): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed)
    ? Buffer.from(trimmed, 'hex')
    : Buffer.from(trimmed, /[-_]/.test(trimmed) ? 'base64url' : 'base64');
  if (key.length !== KEY_BYTES) {
    throw new AppError(
      'secret_key_invalid',
      `The secret key must be 32 bytes (64 hex digits or 44 base64 characters); got ${key.length} bytes. ` +
        'Make one with `openssl rand -base64 32`.',
    );
  }
  return key;
}

/** A fresh random key, base64. */
export function generateSecretKey(): string {
  return randomBytes(KEY_BYTES).toString('base64');
}

/** Seals and opens secrets under one key. */
export class SecretBox {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== KEY_BYTES) {
      throw new AppError('secret_key_invalid', `A SecretBox key must be ${KEY_BYTES} bytes.`);
    }
    this.#key = Buffer.from(key);
  }

  /** Encrypts `plaintext`, bound to `context` (e.g. the connection id). */
  seal(plaintext: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, iv, cipher.getAuthTag(), body].map(encode).join('.');
  }

  /** Decrypts what `seal` produced for the same `context`; throws if it was altered. */
  open(sealed: string, context: string): string {
    const [version, iv, tag, body] = sealed.split('.');
    if (version !== VERSION || iv === undefined || tag === undefined || body === undefined) {
      throw new AppError('secret_key_invalid', 'Stored secret is not in a format ttsync knows.');
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([
        decipher.update(Buffer.from(body, 'base64url')),
        decipher.final(),
      ]).toString('utf8');
    } catch (cause) {
      throw new AppError(
        'secret_key_invalid',
        'A stored secret could not be decrypted: the secret key changed or the record was altered. ' +
          'Restore the original TTSYNC_SECRET_KEY (or key file), or reconnect the account.',
        { cause },
      );
    }
  }
}

function encode(part: string | Buffer): string {
  return typeof part === 'string' ? part : part.toString('base64url');
}
