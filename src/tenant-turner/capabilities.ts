/**
 * Which modeled extensions (tenant-turner-api.md §2.2) the account offers. The real service has
 * none: `GET /v1/capabilities` answers 404 there, and the client then uses the real surface
 * only, refusing lead updates, showing updates, tasks, notes and activities with an
 * `unsupported` error (the sync keeps those on its own side) instead of calling endpoints that
 * do not exist. The answer is probed once and cached; a constructor option can force it.
 */
import { HttpError } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';
import { silentLogger } from '../shared/logger.ts';
import { unsupportedError } from './errors.ts';
import type { TtHttp } from './http.ts';
import { wireField } from './wire-codec.ts';

/** The modeled extensions, as `GET /v1/capabilities` names them. */
export const TT_EXTENSIONS = [
  'lead-update',
  'showing-update',
  'tasks',
  'notes',
  'activities',
] as const;

/** One modeled extension. */
export type TtExtension = (typeof TT_EXTENSIONS)[number];

/**
 * How the client learns the account's capabilities: `'probe'` (default) asks
 * `GET /v1/capabilities` once; `'real'` assumes the real service (no extensions, no probe);
 * `'extended'` assumes every extension; a list names exactly the extensions to use.
 */
export type CapabilitySetting = 'probe' | 'real' | 'extended' | readonly TtExtension[];

const KNOWN = new Set<string>(TT_EXTENSIONS);

function isExtension(name: string): name is TtExtension {
  return KNOWN.has(name);
}

/** Probes, caches and enforces the account's capabilities. */
export class CapabilityProbe {
  readonly #http: TtHttp;
  readonly #logger: Logger;
  #cached: Promise<ReadonlySet<TtExtension>> | undefined;

  constructor(options: { http: TtHttp; setting?: CapabilitySetting; logger?: Logger }) {
    this.#http = options.http;
    this.#logger = options.logger ?? silentLogger;
    const setting = options.setting ?? 'probe';
    if (setting === 'real') this.#cached = Promise.resolve(new Set());
    else if (setting === 'extended') this.#cached = Promise.resolve(new Set(TT_EXTENSIONS));
    else if (setting !== 'probe') this.#cached = Promise.resolve(new Set(setting));
  }

  /**
   * The extensions this account offers. The first call probes (a failure other than 404 is
   * thrown and not cached, so the next call probes again); later calls reuse the answer.
   */
  get(signal?: AbortSignal): Promise<ReadonlySet<TtExtension>> {
    if (this.#cached) return this.#cached;
    const probing = this.#probe(signal);
    this.#cached = probing;
    probing.catch(() => {
      if (this.#cached === probing) this.#cached = undefined;
    });
    return probing;
  }

  /** Whether the account offers `extension`. */
  async has(extension: TtExtension, signal?: AbortSignal): Promise<boolean> {
    return (await this.get(signal)).has(extension);
  }

  /** Throws the `unsupported` `AppError` unless the account offers `extension`. */
  async require(extension: TtExtension, operation: string, signal?: AbortSignal): Promise<void> {
    if (!(await this.has(extension, signal))) throw unsupportedError(extension, operation);
  }

  async #probe(signal: AbortSignal | undefined): Promise<ReadonlySet<TtExtension>> {
    try {
      const { body } = await this.#http.request({
        method: 'GET',
        path: '/v1/capabilities',
        ...(signal ? { signal } : {}),
      });
      const listed = wireField(body, 'Extensions');
      const names = Array.isArray(listed) ? listed.map(String) : [];
      const unknown = names.filter((name) => !isExtension(name));
      if (unknown.length > 0) {
        this.#logger.info({ unknown }, 'Tenant Turner offers extensions ttsync does not know');
      }
      const offered = new Set(names.filter(isExtension));
      this.#logger.info({ extensions: [...offered] }, 'Tenant Turner capabilities probed');
      return offered;
    } catch (error) {
      if (error instanceof HttpError && error.status === 404) {
        this.#logger.info(
          {},
          'Tenant Turner has no capabilities endpoint: using the real API surface only',
        );
        return new Set();
      }
      throw error;
    }
  }
}
