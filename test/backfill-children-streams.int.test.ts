/**
 * The child readers (src/sync/child-streams.ts) against the GHL sandbox over HTTP: every task of
 * the location through the search pages (and from a resume point), every appointment of the
 * location through calendar × window reads (each once, also across a resume), and a contact's
 * notes; compared with the sandbox's own state.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { GhlClient } from '../src/ghl/client.ts';
import {
  contactNotes,
  locationAppointmentWindows,
  locationCalendars,
  locationTaskPages,
  windowsPerCalendar,
} from '../src/sync/child-streams.ts';
import type { GhlSandbox } from '../sandbox/ghl/index.ts';
import { pitClient, sandbox } from './support/ghl-harness.ts';

interface Dump {
  tasks: { id: string; contactId: string; locationId?: string }[];
  notes: { id: string; contactId: string }[];
  appointments: { id: string; locationId: string; contactId: string; startMs: number }[];
  contacts: { id: string; locationId: string }[];
}

describe('child streams', () => {
  let box: GhlSandbox;
  let ghl: GhlClient;
  let dump: Dump;
  const ids = (rows: { id: string }[]): string[] => rows.map((row) => row.id).sort();

  before(async () => {
    box = await sandbox({ contacts: 40 });
    ghl = pitClient(box);
    dump = (await (await fetch(`${box.url}/__sandbox/state`)).json()) as Dump;
  });
  after(async () => {
    ghl.stop();
    await box.close();
  });

  const mainContacts = (): Set<string> =>
    new Set(dump.contacts.filter((c) => c.locationId === box.locationId).map((c) => c.id));

  test('task pages: every task of the location once, and a resume from nextSkip', async () => {
    const location = ghl.location(box.locationId, 'backfill');
    const expected = ids(dump.tasks.filter((task) => mainContacts().has(task.contactId)));
    assert.ok(expected.length > 14, `the seed has tasks (${expected.length})`);
    const pages = [];
    for await (const page of locationTaskPages(location, { pageSize: 7 })) pages.push(page);
    assert.deepEqual(ids(pages.flatMap((page) => page.tasks)), expected);
    assert.equal(pages.at(-1)?.nextSkip, undefined);
    assert.ok(pages.slice(0, -1).every((page) => page.tasks.length === 7));

    const second = pages[1];
    assert.ok(second?.nextSkip !== undefined);
    const resumed = [];
    for await (const page of locationTaskPages(location, { pageSize: 7, skip: second.nextSkip }))
      resumed.push(...page.tasks);
    assert.deepEqual(ids(resumed), ids(pages.slice(2).flatMap((page) => page.tasks)));
  });

  test('appointment windows: every appointment once, also when resumed halfway', async () => {
    const location = ghl.location(box.locationId, 'backfill');
    const mine = dump.appointments.filter((a) => a.locationId === box.locationId);
    assert.ok(mine.length > 3, `the seed has appointments (${mine.length})`);
    const starts = mine.map((a) => a.startMs);
    // Month-long windows: several per calendar, so the boundaries and the resume are exercised.
    const range = {
      start: Math.min(...starts) - 86_400_000,
      end: Math.max(...starts) + 86_400_000,
      stepMs: 30 * 86_400_000,
    };
    const calendars = await locationCalendars(location);
    assert.ok(calendars.length >= 2, 'the main location has two calendars');
    const windows = [];
    for await (const window of locationAppointmentWindows(location, calendars, range))
      windows.push(window);
    assert.equal(windows.length, calendars.length * windowsPerCalendar(range));
    assert.deepEqual(ids(windows.flatMap((w) => w.events)), ids(mine));
    assert.equal(windows.at(-1)?.next, undefined);
    assert.equal(windows.at(-1)?.remainingCalls, 0);

    const middle = Math.floor(windows.length / 2);
    const from = windows[middle]?.next;
    const resumed = [];
    for await (const window of locationAppointmentWindows(location, calendars, range, { from }))
      resumed.push(...window.events);
    assert.deepEqual(ids(resumed), ids(windows.slice(middle + 1).flatMap((w) => w.events)));
  });

  test("a contact's notes", async () => {
    const note = dump.notes.find((n) => mainContacts().has(n.contactId));
    assert.ok(note, 'a seeded contact has a note');
    const notes = await contactNotes(ghl.location(box.locationId), note.contactId);
    assert.deepEqual(ids(notes), ids(dump.notes.filter((n) => n.contactId === note.contactId)));
  });
});
