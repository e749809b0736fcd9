/**
 * Writes when the network misbehaves, against the sandbox's post-write fault knobs: a create
 * whose response is lost never becomes a duplicate. On both surfaces a lost lead create is
 * ambiguous and calling `create` again resolves to the lead the first call made (the service
 * refuses duplicate contact info); on the extended surface a modeled create carries an
 * `ExternalId`, so the client resends it by itself and gets the first record back (200).
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import type { TtSandbox } from '../sandbox/tenant-turner/index.ts';
import { HttpError } from '../src/shared/errors.ts';
import type { TenantTurnerClient } from '../src/tenant-turner/client.ts';
import { isAmbiguous } from '../src/tenant-turner/errors.ts';
import {
  SURFACES,
  all,
  operator,
  records,
  requestCount,
  ttClient,
  ttSandbox,
} from './support/tt-client-harness.ts';

const CLEAR = { dropResponses: { '*': 0 }, hangAfterWrite: { '*': 0 } };

function faults(box: TtSandbox, patch: Record<string, unknown>): Promise<unknown> {
  return operator(box, 'POST', '/__sandbox/faults', patch);
}

function afterWriteStats(box: TtSandbox): { dropped: number; hung: number } {
  return box.stats()['afterWrite'] as { dropped: number; hung: number };
}

/**
 * A fetch that, once a request to `routeKey`'s path fails at the network level, switches the
 * sandbox's drop knob off, so the client's own retry gets through: one lost response exactly.
 */
function healAfterFirstDrop(box: TtSandbox, routeKey: string): typeof fetch {
  return async (input, init) => {
    try {
      return await fetch(input, init);
    } catch (error) {
      await faults(box, { dropResponses: { [routeKey]: 0 } });
      throw error;
    }
  };
}

for (const surface of SURFACES) {
  describe(`lost responses on the ${surface} surface`, () => {
    let box: TtSandbox;
    let tt: TenantTurnerClient;

    before(async () => {
      box = await ttSandbox({ surface });
      tt = ttClient(box);
    });
    afterEach(() => faults(box, CLEAR));
    after(async () => {
      tt.stop();
      await box.close();
    });

    it('a lead create whose response was dropped is ambiguous, and creating again returns that lead', async () => {
      const input = {
        firstName: 'Grace',
        lastName: 'Hopper',
        email: `grace.${surface}@example.com`,
        phone: '+15550177001',
      };
      const before = records(box, 'leads').length;
      await faults(box, { dropResponses: { 'POST /v1/applications': 1 } });
      await assert.rejects(tt.leads.create(input), (error: unknown) => {
        assert.ok(error instanceof HttpError);
        assert.equal(error.code, 'network_error');
        assert.ok(isAmbiguous(error));
        return true;
      });
      assert.equal(requestCount(box, 'POST /v1/applications'), 1, 'a create is not resent blindly');
      assert.equal(records(box, 'leads').length, before + 1, 'the write went through');

      await faults(box, CLEAR);
      const again = await tt.leads.create(input);
      assert.equal(again.alreadyExisted, true);
      assert.equal(records(box, 'leads').length, before + 1, 'no duplicate');
      const made = records(box, 'leads').find((row) => row['Email'] === input.email);
      assert.equal(again.record.applicationId, made?.['ApplicationId']);
    });

    it('a showing create held past the timeout is ambiguous; the lead shows whether it was made', async () => {
      const slow = ttClient(box, { timeoutMs: 300, capabilities: surface });
      const lead = (await all(slow.leads.list())).find((row) => row.disposition === 'Active');
      const rental = (await all(slow.rentals.list())).find((row) => row.isActive);
      assert.ok(lead && rental);
      await faults(box, { hangAfterWrite: { 'POST /v1/showings': 1 } });
      await assert.rejects(
        slow.showings.create({
          applicationId: lead.applicationId,
          propertyId: rental.propertyId,
          requestedTimes: [new Date('2026-12-10T17:00:00Z')],
        }),
        (error: unknown) =>
          error instanceof HttpError && error.code === 'timeout' && isAmbiguous(error),
      );
      assert.equal(afterWriteStats(box).hung, 1);
      await faults(box, CLEAR);
      const after = await slow.leads.get(lead.applicationId);
      assert.equal(after.showings.length, lead.showings.length + 1, 'look before booking again');
      slow.stop();
    });

    it('retries a read through 5xx answers', async () => {
      const [lead] = await all(tt.leads.list());
      assert.ok(lead);
      const route = 'GET /v1/applications/:applicationId';
      const before = requestCount(box, route);
      await faults(box, { failNext: { [route]: 2 } });
      assert.equal((await tt.leads.get(lead.applicationId)).applicationId, lead.applicationId);
      assert.equal(requestCount(box, route) - before, 3);
    });

    it('does not resend a create after a 5xx: it is ambiguous', async () => {
      const before = requestCount(box, 'POST /v1/applications');
      await faults(box, { failNext: { 'POST /v1/applications': 1 } });
      await assert.rejects(
        tt.leads.create({
          firstName: 'X',
          lastName: 'Y',
          email: `x.${surface}@example.com`,
          phone: '+15550177099',
        }),
        (error: unknown) =>
          error instanceof HttpError && error.code === 'server_error' && isAmbiguous(error),
      );
      assert.equal(requestCount(box, 'POST /v1/applications') - before, 1);
    });

    if (surface !== 'extended') return;

    it('resends a modeled create with an ExternalId by itself and gets the first record, no duplicate', async () => {
      const [lead] = await all(tt.leads.list());
      assert.ok(lead);
      const cases = [
        {
          route: 'POST /v1/applications/:applicationId/tasks',
          create: (client: TenantTurnerClient) =>
            client.tasks.create(lead.applicationId, {
              title: 'Send application link',
              externalId: 'ghl-task-77',
            }),
          kind: 'tasks' as const,
          externalId: 'ghl-task-77',
        },
        {
          route: 'POST /v1/applications/:applicationId/notes',
          create: (client: TenantTurnerClient) =>
            client.notes.create(lead.applicationId, {
              note: 'Asked about parking',
              externalId: 'ghl-note-77',
            }),
          kind: 'notes' as const,
          externalId: 'ghl-note-77',
        },
        {
          route: 'POST /v1/applications/:applicationId/activities',
          create: (client: TenantTurnerClient) =>
            client.activities.create(lead.applicationId, {
              type: 'SMS',
              occurredAt: new Date('2026-11-27T09:00:00Z'),
              summary: 'Texted the lead',
              source: 'GHL',
              externalId: 'ghl-sms-77',
            }),
          kind: 'activities' as const,
          externalId: 'ghl-sms-77',
        },
      ];
      for (const { route, create, kind, externalId } of cases) {
        const client = ttClient(box, {
          fetch: healAfterFirstDrop(box, route),
          capabilities: 'extended',
        });
        const dropped = afterWriteStats(box).dropped;
        const sent = requestCount(box, route);
        await faults(box, { dropResponses: { [route]: 1 } });
        const created = await create(client);
        assert.equal(created.alreadyExisted, true, `${kind}: the resend found the first record`);
        assert.equal(afterWriteStats(box).dropped - dropped, 1, `${kind}: one response was lost`);
        assert.equal(requestCount(box, route) - sent, 2, `${kind}: sent twice`);
        const matching = records(box, kind).filter((row) => row['ExternalId'] === externalId);
        assert.equal(matching.length, 1, `${kind}: exactly one record`);
        client.stop();
      }
    });
  });
}
