/**
 * The narrow logger every module takes (STYLE.md "Config and logs"), backed by pino.
 * Secrets are redacted by the logger itself, three ways, because one is never enough:
 * - values registered with `registerSecret` are replaced wherever they appear in a line;
 * - any JSON key that names a secret (token, apiKey, secret, password, authorization, …) has its
 *   string value replaced, at any depth;
 * - `Bearer …` / `Basic …` credentials inside any string are replaced.
 */
import { pino } from 'pino';
import type { DestinationStream } from 'pino';

export interface Logger {
  debug(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
  /** A logger whose lines all carry `bindings` (requestId, jobId, locationId, contactId, …). */
  child(bindings: Record<string, unknown>): Logger;
}

export interface LoggerOptions {
  level?: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
  /** Where lines go; default stdout. Tests pass a stream to read lines back. */
  destination?: DestinationStream;
  /** Append lines to this file instead of stdout (its folder is created). */
  file?: string;
  /** Names this process in every line. */
  name?: string;
}

export const REDACTED = '[REDACTED]';

const SECRET_KEY =
  /("(?:[A-Za-z_]*(?:token|Token|TOKEN)|api[_-]?key|apiKey|API_KEY|secret|[A-Za-z_]*Secret|client_secret|password|authorization|Authorization|x-api-key|cookie|Cookie|code_verifier)"\s*:\s*)"(?:[^"\\]|\\.)*"/g;
const AUTH_SCHEME = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g;

/** Known secret values, redacted wherever they appear; shared by every logger in the process. */
export class SecretRegistry {
  #values = new Set<string>();
  #pattern: RegExp | undefined;

  /** Registers a secret value (ignored when shorter than 6 characters, to avoid mangling text). */
  add(value: string | undefined | null): void {
    if (!value || value.length < 6 || this.#values.has(value)) return;
    this.#values.add(value);
    this.#pattern = undefined;
  }

  /** `text` with every registered value replaced. */
  scrub(text: string): string {
    if (this.#values.size === 0) return text;
    this.#pattern ??= new RegExp(
      [...this.#values]
        .sort((a, b) => b.length - a.length)
        .map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('|'),
      'g',
    );
    return text.replace(this.#pattern, REDACTED);
  }
}

/** The process-wide registry; clients register tokens and keys here as they learn them. */
export const secrets = new SecretRegistry();

/** Redacts one serialized log line. Exported for tests and for other sinks (audit, CLI output). */
export function redactLine(line: string, registry: SecretRegistry = secrets): string {
  return registry
    .scrub(line)
    .replace(SECRET_KEY, `$1"${REDACTED}"`)
    .replace(AUTH_SCHEME, `$1 ${REDACTED}`);
}

class PinoLogger implements Logger {
  readonly #pino: pino.Logger;
  constructor(instance: pino.Logger) {
    this.#pino = instance;
  }
  debug(fields: Record<string, unknown>, message: string): void {
    this.#pino.debug(fields, message);
  }
  info(fields: Record<string, unknown>, message: string): void {
    this.#pino.info(fields, message);
  }
  warn(fields: Record<string, unknown>, message: string): void {
    this.#pino.warn(fields, message);
  }
  error(fields: Record<string, unknown>, message: string): void {
    this.#pino.error(fields, message);
  }
  child(bindings: Record<string, unknown>): Logger {
    return new PinoLogger(this.#pino.child(bindings));
  }
}

/** Builds the process logger. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const instance = pino(
    {
      level: options.level ?? 'info',
      ...(options.name ? { name: options.name } : {}),
      hooks: { streamWrite: (line: string) => redactLine(line) },
      serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
    },
    options.destination ??
      pino.destination(
        options.file ? { dest: options.file, mkdir: true, sync: false } : { dest: 1, sync: false },
      ),
  );
  return new PinoLogger(instance);
}

/** A logger that drops everything (for library defaults and quiet tests). */
export const silentLogger: Logger = createLogger({ level: 'silent' });
