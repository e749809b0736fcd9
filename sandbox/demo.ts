/**
 * Both sandboxes together, as `ttsync start` runs them when no credentials are configured:
 * a GHL sandbox with seeded contacts and a Tenant Turner sandbox with seeded rentals (extended
 * surface, no leads yet), plus what ttsync needs to reach them.
 */
import { startGhlSandbox } from './ghl/index.ts';
import type { GhlSandbox } from './ghl/index.ts';
import { ALL_SCOPES } from './ghl/tokens.ts';
import { startTtSandbox } from './tenant-turner/index.ts';
import type { TtSandbox, TtSurface } from './tenant-turner/index.ts';

export interface DemoSandboxOptions {
  /** Seeded GHL contacts; default 25. */
  contacts?: number;
  surface?: TtSurface;
  ghlPort?: number;
  ttPort?: number;
}

/** The two running sandboxes and ttsync's way in. */
export interface DemoSandboxes {
  ghl: GhlSandbox;
  tt: TtSandbox;
  endpoints: {
    ghl: { baseUrl: string; locationId: string; token: string; webhookPublicKeys: string[] };
    tt: { baseUrl: string; apiKey: string; webhookSigningKey: string };
  };
  /** Subscribes `url` to every GHL sandbox webhook. */
  subscribeGhlWebhooks(url: string): Promise<void>;
  /** Subscribes `url` to every Tenant Turner sandbox webhook (signed with `webhookSigningKey`). */
  subscribeTtWebhooks(url: string): void;
  close(): Promise<void>;
}

/** Starts both sandboxes. */
export async function startDemoSandboxes(options: DemoSandboxOptions = {}): Promise<DemoSandboxes> {
  const [ghl, tt] = await Promise.all([
    startGhlSandbox({
      contacts: options.contacts ?? 25,
      ...(options.ghlPort !== undefined ? { port: options.ghlPort } : {}),
    }),
    startTtSandbox({
      leads: 0,
      showings: 0,
      surface: options.surface ?? 'extended',
      ...(options.ttPort !== undefined ? { port: options.ttPort } : {}),
    }),
  ]);
  const token = ghl.mintToken({ scopes: [...ALL_SCOPES], kind: 'pit' }).accessToken;
  return {
    ghl,
    tt,
    endpoints: {
      ghl: {
        baseUrl: ghl.url,
        locationId: ghl.locationId,
        token,
        webhookPublicKeys: [ghl.webhookPublicKeyPem],
      },
      tt: { baseUrl: tt.url, apiKey: tt.apiKey, webhookSigningKey: tt.webhookSigningKey },
    },
    async subscribeGhlWebhooks(url) {
      const response = await fetch(`${ghl.url}/__sandbox/webhooks/subscriptions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ url }),
      });
      if (!response.ok) {
        throw new Error(`GHL sandbox refused the webhook subscription: ${response.status}`);
      }
    },
    subscribeTtWebhooks(url) {
      tt.subscribeWebhook(url);
    },
    async close() {
      await Promise.all([ghl.close(), tt.close()]);
    },
  };
}
