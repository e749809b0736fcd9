/**
 * Seeds the GHL sandbox (a process) with contacts that each have a fixed number of tasks, notes
 * and appointments, through its operator endpoints (which count no rate limit and send no
 * webhook without a subscription). Appointments are at the addresses of the Tenant Turner
 * sandbox's active rentals, so each becomes a showing. Used by the full-backfill test and
 * bench/backfill.ts.
 */
import { operatorJson } from './operator.ts';
import type { GhlSandboxProcessInfo, TtSandboxProcessInfo } from './processes.ts';
import { startEmptySandboxProcesses } from './sandbox-processes.ts';

export interface ChildCounts {
  tasks: number;
  notes: number;
  appointments: number;
}

interface TtProperty {
  PropertyId: number;
  IsActive: boolean;
  Address: string;
  Address2?: string | null;
  City: string;
  State: string;
  ZipCode: string;
}

/** What was seeded, by GHL id. */
export interface SeededChildren {
  contactIds: string[];
  taskIds: string[];
  noteIds: string[];
  appointmentIds: string[];
}

/** Active rental addresses of the Tenant Turner sandbox, as a person would type them. */
export async function rentalAddresses(ttUrl: string): Promise<string[]> {
  const { properties } = await operatorJson<{ properties: TtProperty[] }>(
    `${ttUrl}/__sandbox/state`,
  );
  const addresses = properties
    .filter((p) => p.IsActive)
    .map((p) => {
      const unit = p.Address2 ? `, ${p.Address2}` : '';
      return `${p.Address}${unit}, ${p.City}, ${p.State} ${p.ZipCode}`;
    });
  if (addresses.length === 0) throw new Error('the Tenant Turner sandbox has no active rental');
  return addresses;
}

/**
 * Creates `count` contacts with `children` each, `width` contacts at a time, and makes them
 * searchable. Appointments start on day `n % 300` from now at 10:00 UTC (inside a year ahead).
 */
export async function seedContactsWithChildren(
  ghlUrl: string,
  ttUrl: string,
  count: number,
  children: ChildCounts,
  options: { width?: number; tag?: string } = {},
): Promise<SeededChildren> {
  const addresses = await rentalAddresses(ttUrl);
  const tag = options.tag ?? 'Seeded';
  const seeded: SeededChildren = { contactIds: [], taskIds: [], noteIds: [], appointmentIds: [] };
  const day = 86_400_000;
  const today = Math.floor(Date.now() / day) * day;
  const one = async (n: number): Promise<void> => {
    const { contact } = await operatorJson<{ contact: { id: string } }>(
      `${ghlUrl}/__sandbox/contacts`,
      'POST',
      {
        firstName: tag,
        lastName: `Person ${n}`,
        email: `${tag.toLowerCase()}.${n}@example.com`,
        phone: `+1415${String(3_000_000 + n).padStart(7, '0')}`,
      },
    );
    seeded.contactIds.push(contact.id);
    const base = `${ghlUrl}/__sandbox/contacts/${contact.id}`;
    for (let i = 0; i < children.tasks; i++) {
      const { task } = await operatorJson<{ task: { id: string } }>(`${base}/tasks`, 'POST', {
        title: `Task ${i + 1} of person ${n}`,
        body: `Follow up ${i + 1}`,
        dueDate: new Date(today + (i + 2) * day).toISOString(),
        completed: i === 0,
      });
      seeded.taskIds.push(task.id);
    }
    for (let i = 0; i < children.notes; i++) {
      const { note } = await operatorJson<{ note: { id: string } }>(`${base}/notes`, 'POST', {
        body: `Note ${i + 1} about person ${n}`,
      });
      seeded.noteIds.push(note.id);
    }
    for (let i = 0; i < children.appointments; i++) {
      const { appointment } = await operatorJson<{ appointment: { id: string } }>(
        `${base}/appointments`,
        'POST',
        {
          title: `Showing for person ${n}`,
          address: addresses[(n + i) % addresses.length],
          appointmentStatus: 'confirmed',
          startTime: new Date(today + (1 + ((n + i) % 300)) * day + 10 * 3600_000).toISOString(),
        },
      );
      seeded.appointmentIds.push(appointment.id);
    }
  };
  const width = options.width ?? 16;
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, count) }, async () => {
      for (let n = next++; n < count; n = next++) await one(n);
    }),
  );
  await operatorJson(`${ghlUrl}/__sandbox/search/flush`, 'POST');
  return seeded;
}

/** The GHL API calls (operator and OAuth routes left out) and 429s a sandbox has counted. */
export async function ghlApiTraffic(
  ghlUrl: string,
): Promise<{ calls: number; byRoute: Record<string, number>; limited: number }> {
  const stats = await operatorJson<{
    requests: Record<string, number>;
    statuses: Record<string, number>;
  }>(`${ghlUrl}/__sandbox/stats`);
  const byRoute = Object.fromEntries(
    Object.entries(stats.requests).filter(
      ([route]) => !route.includes(' /__sandbox') && !route.includes(' /oauth/'),
    ),
  );
  const calls = Object.values(byRoute).reduce((sum, n) => sum + n, 0);
  return { calls, byRoute, limited: stats.statuses['429'] ?? 0 };
}

/**
 * Both sandboxes empty (Tenant Turner's extended surface) for a backfill: GHL at its real
 * limit over a `windowMs` window, with no search delay.
 */
export function startBackfillSandboxes(
  windowMs: number,
): Promise<[GhlSandboxProcessInfo, TtSandboxProcessInfo]> {
  return startEmptySandboxProcesses('extended', [
    '--search-delay-ms',
    '0',
    '--rate-window-ms',
    String(windowMs),
  ]);
}
