/**
 * Fault knobs of the Tenant Turner sandbox: injected 5xx (random and failNext) in Tenant
 * Turner's error shape, latency, a request held until the client gives up, and the two knobs
 * that strike after a write was applied (connection dropped, response held), which is how a
 * client's "create retried after a lost response" path is tested. Reset clears them.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { startTtSandbox } from '../sandbox/tenant-turner/index.ts';
import type { TtSandbox } from '../sandbox/tenant-turner/index.ts';
import { basic, call, expectStatus, operate } from './support/tt-harness.ts';
import type { Json } from './support/tt-harness.ts';

let sandbox: TtSandbox;
let made = 0;

before(async () => {
  sandbox = await startTtSandbox({ rentals: 1, leads: 2, showings: 0 });
});
after(async () => {
  await sandbox.close();
});
beforeEach(async () => {
  await operate(sandbox, '/reset');
});

function leadBody(): Json {
  made++;
  return {
    FirstName: 'Fault',
    LastName: `Lead${made}`,
    Email: `fault.${made}@example.com`,
    Phone: `555${String(4_000_000 + made)}`,
  };
}

/** A raw request that may never be answered; resolves with the error instead of throwing. */
async function attempt(
  path: string,
  method: string,
  body: unknown,
  timeoutMs: number,
): Promise<Response | Error> {
  try {
    return await fetch(`${sandbox.url}${path}`, {
      method,
      headers: { authorization: basic(sandbox.apiKey), 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    return error as Error;
  }
}

const leadCount = (): number => (sandbox.state()['counts'] as Record<string, number>)['leads'] ?? 0;

void describe('fault knobs', () => {
  void test('failNext: the next N requests of a route fail with 503, then it recovers', async () => {
    await operate(sandbox, '/faults', { failNext: { 'GET /v1/properties': 2 } });
    for (let i = 0; i < 2; i++) {
      const reply = await call(sandbox, 'GET', '/v1/properties');
      assert.equal(reply.status, 503);
      assert.deepEqual(reply.body, { StatusCode: 503, ErrorMessages: ['Service Unavailable'] });
    }
    assert.equal((await call(sandbox, 'GET', '/v1/properties')).status, 200);
    assert.equal(
      (await call(sandbox, 'GET', '/v1/properties/sync')).status,
      200,
      'other routes unaffected',
    );
  });

  void test('errorRates 1 on "*": every API call is a 5xx with the TT error shape; operator routes are spared', async () => {
    await operate(sandbox, '/faults', { errorRates: { '*': 1 } });
    const reply = await call(sandbox, 'GET', '/v1/applications/200001');
    assert.ok([500, 502, 503].includes(reply.status), `status ${reply.status}`);
    assert.equal((reply.body as Json)['StatusCode'], reply.status);
    assert.equal(leadCount(), 2);
    const stats = await call(sandbox, 'GET', '/__sandbox/stats', { authorization: null });
    assert.equal(((stats.body as Json)['faultsInjected'] as Json)['errors'], 1);
  });

  void test('latency delays every API answer', async () => {
    await operate(sandbox, '/faults', { latencyMs: 120 });
    const started = performance.now();
    await expectStatus(sandbox, 200, 'GET', '/v1/properties');
    assert.ok(performance.now() - started >= 115);
  });

  void test('a timeout holds the request without writing anything', async () => {
    await operate(sandbox, '/faults', { timeouts: { 'POST /v1/applications': 1 } });
    const outcome = await attempt('/v1/applications', 'POST', leadBody(), 200);
    assert.ok(outcome instanceof Error, 'the client gave up');
    assert.equal(leadCount(), 2, 'nothing written');
  });

  void test('a dropped response after the write: the lead exists, and the retry is a 409 naming it', async () => {
    await operate(sandbox, '/faults', { dropResponses: { 'POST /v1/applications': 1 } });
    const body = leadBody();
    const outcome = await attempt('/v1/applications', 'POST', body, 5_000);
    assert.ok(outcome instanceof Error, 'no response at all');
    const created = (sandbox.state()['leads'] as Json[]).find((l) => l['Email'] === body['Email']);
    assert.ok(created !== undefined, 'the write was applied');
    await operate(sandbox, '/faults', { dropResponses: { 'POST /v1/applications': 0 } });
    const retry = await call(sandbox, 'POST', '/v1/applications', { body });
    assert.equal(retry.status, 409);
    assert.equal((retry.body as Json)['ApplicationId'], created['ApplicationId']);
    assert.equal((sandbox.stats()['afterWrite'] as Json)['dropped'], 1);
  });

  void test('a held response after the write: the modeled task retried with its ExternalId returns the first', async () => {
    const lead = (
      await expectStatus(sandbox, 201, 'POST', '/v1/applications', { body: leadBody() })
    )['ApplicationId'] as number;
    const path = `/v1/applications/${lead}/tasks`;
    await operate(sandbox, '/faults', {
      hangAfterWrite: { 'POST /v1/applications/:applicationId/tasks': 1 },
    });
    const task = { Title: 'Call back', ExternalId: 'ghl-task-77' };
    const outcome = await attempt(path, 'POST', task, 250);
    assert.ok(outcome instanceof Error, 'the client gave up waiting');
    await operate(sandbox, '/faults', {
      hangAfterWrite: { 'POST /v1/applications/:applicationId/tasks': 0 },
    });
    const retry = await expectStatus(sandbox, 200, 'POST', path, { body: task });
    const list = await expectStatus(sandbox, 200, 'GET', path);
    assert.equal(list['TotalCount'], 1, 'one task, not two');
    assert.equal(((list['Data'] as Json[])[0] ?? {})['TaskId'], retry['TaskId']);
  });

  void test('reset clears the knobs; bad knobs are a 400', async () => {
    await operate(sandbox, '/faults', { errorRates: { '*': 1 } });
    await operate(sandbox, '/reset');
    assert.equal((await call(sandbox, 'GET', '/v1/properties')).status, 200);
    const bad = await call(sandbox, 'POST', '/__sandbox/faults', {
      authorization: null,
      body: { errorRates: { '*': 2 } },
    });
    assert.equal(bad.status, 400);
    const unknown = await call(sandbox, 'POST', '/__sandbox/faults', {
      authorization: null,
      body: { explode: true },
    });
    assert.equal(unknown.status, 400);
  });

  void test('stats count requests by route and status', async () => {
    await call(sandbox, 'GET', '/v1/applications/200001');
    await call(sandbox, 'GET', '/v1/applications/1');
    await call(sandbox, 'GET', '/v1/nothing');
    await call(sandbox, 'GET', '/v1/properties', { authorization: null });
    const stats = sandbox.stats();
    assert.equal((stats['requests'] as Json)['GET /v1/applications/:applicationId'], 2);
    assert.equal((stats['requests'] as Json)['NOT_FOUND'], 1);
    assert.equal((stats['statuses'] as Json)['404'], 2);
    assert.equal(stats['unauthorized'], 1);
  });
});
