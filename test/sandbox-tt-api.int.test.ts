/**
 * The Tenant Turner sandbox's real endpoints over HTTP: Basic auth with the bare key and key
 * refresh, seed determinism, error bodies (empty 404, "General error." 400, one 422 naming every
 * missing field), and rentals: PascalCase out, case-insensitive binding in, numbers as strings.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTtSandbox } from '../sandbox/tenant-turner/index.ts';
import type { TtSandbox } from '../sandbox/tenant-turner/index.ts';
import { basic, call, expectStatus, operate } from './support/tt-harness.ts';
import type { Json } from './support/tt-harness.ts';

let sandbox: TtSandbox;

before(async () => {
  sandbox = await startTtSandbox({ seed: 3, rentals: 4, leads: 25, showings: 12 });
});
after(async () => {
  await sandbox.close();
});

void describe('auth', () => {
  void test('Basic base64 of the bare key passes; anything else is a 401 with the TT body', async () => {
    assert.match(
      sandbox.apiKey,
      /^tt_live_[0-9a-f]{8}_[0-9a-f]{4}_[0-9a-f]{4}_[0-9a-f]{4}_[0-9a-f]{12}$/,
    );
    assert.equal((await call(sandbox, 'GET', '/v1/properties')).status, 200);
    for (const authorization of [
      null,
      basic('tt_live_wrong'),
      basic(`${sandbox.apiKey}:`),
      basic(`user:${sandbox.apiKey}`),
      `Bearer ${sandbox.apiKey}`,
    ]) {
      const reply = await call(sandbox, 'GET', '/v1/properties', { authorization });
      assert.equal(reply.status, 401, `authorization ${String(authorization)}`);
      assert.deepEqual(reply.body, {
        StatusCode: 401,
        ErrorMessages: ['Authorization has been denied for this request.'],
      });
    }
  });

  void test('a key refresh locks the old key out', async () => {
    const box = await startTtSandbox({ rentals: 1, leads: 0, showings: 0 });
    try {
      const old = box.apiKey;
      const { apiKey } = await operate(box, '/api-key/refresh');
      assert.notEqual(apiKey, old);
      assert.equal(box.apiKey, apiKey);
      assert.equal(
        (await call(box, 'GET', '/v1/properties', { authorization: basic(old) })).status,
        401,
      );
      assert.equal((await call(box, 'GET', '/v1/properties')).status, 200);
    } finally {
      await box.close();
    }
  });

  void test('the same seed gives the same key and the same records', async () => {
    const twin = await startTtSandbox({ seed: 3, rentals: 4, leads: 25, showings: 12 });
    try {
      assert.equal(twin.apiKey, sandbox.apiKey);
      assert.equal(twin.webhookSigningKey, sandbox.webhookSigningKey);
      // Only the seeded records: other tests may have added some to `sandbox` by now.
      const seeded = (box: TtSandbox): unknown => {
        const state = box.state();
        const pick = (key: string, idField: string, below: number): Json[] =>
          (state[key] as Json[]).filter((r) => (r[idField] as number) < below);
        return [
          pick('properties', 'PropertyId', 10_005),
          pick('leads', 'ApplicationId', 200_026).map(
            ({ Showings: _, DateUpdated: __, ...rest }) => rest,
          ),
          pick('showings', 'ShowingId', 300_013),
        ];
      };
      assert.deepEqual(seeded(twin), seeded(sandbox));
    } finally {
      await twin.close();
    }
  });
});

void describe('errors', () => {
  void test('an unknown path is 404 with an empty body; an unknown id is 404 with a message', async () => {
    const unknown = await call(sandbox, 'GET', '/v1/nosuchresource');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.text, '');
    const missing = await call(sandbox, 'GET', '/v1/properties/999999999');
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.body, {
      StatusCode: 404,
      ErrorMessages: ['Property 999999999 was not found.'],
    });
  });

  void test('a type mismatch is 400 "General error."', async () => {
    for (const reply of [
      await call(sandbox, 'GET', '/v1/applications/abc'),
      await call(sandbox, 'POST', '/v1/applications', {
        body: {
          FirstName: 'A',
          LastName: 'B',
          Email: 'x@example.com',
          Phone: '5551230000',
          PropertyId: 'ten',
        },
      }),
    ]) {
      assert.equal(reply.status, 400);
      assert.deepEqual(reply.body, { StatusCode: 400, ErrorMessages: ['General error.'] });
    }
  });

  void test('missing required fields are one 422 naming each', async () => {
    const reply = await call(sandbox, 'POST', '/v1/applications', { body: { firstName: 'Only' } });
    assert.equal(reply.status, 422);
    assert.deepEqual((reply.body as Json)['ErrorMessages'], [
      'LastName is required.',
      'Email is required.',
      'Phone is required.',
    ]);
  });
});

void describe('properties', () => {
  void test('the list is one unpaginated envelope; numbers read back as strings', async () => {
    const list = await expectStatus(sandbox, 200, 'GET', '/v1/properties');
    assert.equal(list['NextPage'], null);
    const data = list['Data'] as Json[];
    assert.equal(list['TotalCount'], data.length);
    assert.ok(data.length >= 4);
    for (const row of data) {
      for (const field of ['Bedrooms', 'Bathrooms', 'RentAmount', 'SquareFootage'])
        assert.equal(typeof row[field], 'string', `${field} of ${String(row['PropertyId'])}`);
    }
  });

  void test('create binds camelCase, answers 201 { PropertyId }; PUT replaces; sync lists addresses', async () => {
    const created = await expectStatus(sandbox, 201, 'POST', '/v1/properties', {
      body: {
        address: '12 Elm St',
        CITY: 'Richmond',
        state: 'VA',
        zipCode: '23235',
        bedrooms: 3,
        rentAmount: 1850.5,
        externalId: 'ext-1',
      },
    });
    assert.deepEqual(Object.keys(created), ['PropertyId']);
    const id = created['PropertyId'] as number;
    const read = await expectStatus(sandbox, 200, 'GET', `/v1/properties/${id}`);
    assert.equal(read['Address'], '12 Elm St');
    assert.equal(read['City'], 'Richmond');
    assert.equal(read['Bedrooms'], '3');
    assert.equal(read['RentAmount'], '1850.5');
    assert.equal(read['IsActive'], false);
    const put = await call(sandbox, 'PUT', `/v1/properties/${id}`, {
      body: { Address: '14 Elm St', City: 'Richmond', State: 'VA', ZipCode: '23235' },
    });
    assert.equal(put.status, 204);
    assert.equal(put.text, '');
    const replaced = await expectStatus(sandbox, 200, 'GET', `/v1/properties/${id}`);
    assert.equal(replaced['Address'], '14 Elm St');
    assert.equal(replaced['Bedrooms'], null, 'PUT replaces the whole rental');
    const partial = await call(sandbox, 'PUT', `/v1/properties/${id}`, { body: { Address: 'x' } });
    assert.equal(partial.status, 422);
    const sync = await expectStatus(sandbox, 200, 'GET', '/v1/properties/sync');
    const row = (sync['Data'] as Json[]).find((r) => r['PropertyId'] === id);
    assert.deepEqual(row, {
      PropertyId: id,
      Address: '14 Elm St',
      Address2: null,
      City: 'Richmond',
      State: 'VA',
      ZipCode: '23235',
      ExternalId: null,
      ExternalSource: null,
    });
  });
});
