/**
 * What the lead and showing write paths need: the current state (replaced on reset), the
 * announcer, and the sandbox clock.
 */
import type { Announcer } from './announcer.ts';
import type { TtState } from './state.ts';

export interface LifecycleDeps {
  state: () => TtState;
  announce: Announcer;
  /** Sandbox time in ms (wall clock plus any operator offset). */
  now: () => number;
  /** `now()` truncated to whole seconds: what DateCreated/DateUpdated store. */
  stamp: () => number;
}
