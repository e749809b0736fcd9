/**
 * GHL user id → email, for a task's assignee (Tenant Turner takes `AssignedToUserEmail`). The
 * location's users are read once (`GET /users/?locationId=…`, one call) and kept for an hour, per
 * GHL client; an unknown id reads them again at most once a minute. A failure (for instance a
 * token without `users.readonly`) leaves the task without an assignee rather than failing it.
 */
import type { GhlClient } from '../ghl/client.ts';
import type { Lane } from '../ghl/rate-limiter.ts';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';

const TTL_MS = 60 * 60 * 1000;
const MISS_RETRY_MS = 60 * 1000;

interface Entry {
  at: number;
  emails: Map<string, string>;
}

/** The users of each location a GHL client reaches, by id. */
export class AssigneeDirectory {
  readonly #ghl: GhlClient;
  readonly #clock: Clock;
  readonly #cache = new Map<string, Entry>();

  constructor(ghl: GhlClient, clock: Clock) {
    this.#ghl = ghl;
    this.#clock = clock;
  }

  /** The email of GHL user `userId` of `locationId`, or undefined when unknown or unreadable. */
  async email(
    locationId: string,
    userId: string,
    options: { lane?: Lane | undefined; logger: Logger; signal?: AbortSignal | undefined },
  ): Promise<string | undefined> {
    const now = this.#clock.now();
    const entry = this.#cache.get(locationId);
    const known = entry?.emails.get(userId);
    if (entry && now - entry.at < TTL_MS && (known !== undefined || now - entry.at < MISS_RETRY_MS))
      return known;
    try {
      const users = await this.#ghl
        .location(locationId, options.lane ?? 'webhook')
        .listUsers(options.signal ? { signal: options.signal } : {});
      const emails = new Map<string, string>();
      for (const user of users) {
        if (user.email) emails.set(user.id, user.email.toLowerCase());
      }
      this.#cache.set(locationId, { at: now, emails });
      return emails.get(userId);
    } catch (error) {
      options.logger.warn(
        { locationId, userId, error: (error as Error).message },
        'task assignee not resolved: GHL users could not be read',
      );
      this.#cache.set(locationId, { at: now, emails: entry?.emails ?? new Map<string, string>() });
      return entry?.emails.get(userId);
    }
  }
}

const directories = new WeakMap<GhlClient, AssigneeDirectory>();

/** The directory of `ghl` (one per client, so its cache lives as long as the client). */
export function assigneeDirectory(ghl: GhlClient, clock: Clock): AssigneeDirectory {
  let directory = directories.get(ghl);
  if (!directory) {
    directory = new AssigneeDirectory(ghl, clock);
    directories.set(ghl, directory);
  }
  return directory;
}
