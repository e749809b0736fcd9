import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError } from '../src/shared/errors.ts';
import { ghlAuthMode, loadConfig } from '../src/config.ts';

test('defaults apply with an empty environment and select the sandbox', () => {
  const config = loadConfig({});
  assert.equal(config.GHL_BASE_URL, 'https://services.leadconnectorhq.com');
  assert.equal(config.GHL_RATE_LIMIT_MAX, 100);
  assert.equal(ghlAuthMode(config), 'sandbox');
  assert.ok(Object.isFrozen(config));
});

test('every bad variable is listed at once', () => {
  try {
    loadConfig({
      PORT: 'eighty',
      GHL_BASE_URL: 'not a url',
      LOG_LEVEL: 'loud',
      GHL_CLIENT_ID: 'abc',
    });
    assert.fail('expected a config error');
  } catch (error) {
    assert.ok(error instanceof AppError);
    assert.equal(error.code, 'config_invalid');
    for (const name of ['PORT', 'GHL_BASE_URL', 'LOG_LEVEL', 'GHL_CLIENT_SECRET']) {
      assert.match(error.message, new RegExp(`${name}:`), `${name} missing from: ${error.message}`);
    }
  }
});

test('a private token needs its location; flags override the environment', () => {
  assert.throws(() => loadConfig({ GHL_PRIVATE_TOKEN: 'pit-0123456789abcdef' }), /GHL_LOCATION_ID/);
  const config = loadConfig(
    {
      GHL_PRIVATE_TOKEN: 'pit-0123456789abcdef',
      GHL_LOCATION_ID: 've9EPM428h8vShlRW1KT',
      TT_API_KEY: 'tt_live_11111111_2222_3333_4444_a75aa77d0bcc',
      PORT: '9000',
    },
    { PORT: 9100 },
  );
  assert.equal(ghlAuthMode(config), 'pit');
  assert.equal(config.PORT, 9100);
});

test('real accounts need both sides: a GHL credential without a Tenant Turner key (and back) is refused', () => {
  assert.throws(
    () =>
      loadConfig({
        GHL_PRIVATE_TOKEN: 'pit-0123456789abcdef',
        GHL_LOCATION_ID: 've9EPM428h8vShlRW1KT',
      }),
    /TT_API_KEY: syncing real accounts needs both/,
  );
  assert.throws(
    () => loadConfig({ TT_API_KEY: 'tt_live_11111111_2222_3333_4444_a75aa77d0bcc' }),
    /GHL_PRIVATE_TOKEN: syncing real accounts needs both/,
  );
  assert.throws(
    () => loadConfig({ DATABASE_URL: 'mysql://x' }),
    /DATABASE_URL: must be a postgres/,
  );
});

test('the webhook skew must be shorter than the inbox retention', () => {
  assert.throws(
    () => loadConfig({ TTSYNC_INBOX_RETENTION_DAYS: '1', GHL_WEBHOOK_MAX_SKEW_MS: '86400000' }),
    /GHL_WEBHOOK_MAX_SKEW_MS: must be shorter than TTSYNC_INBOX_RETENTION_DAYS \(1 days\)/,
  );
  const kept = loadConfig({
    TTSYNC_INBOX_RETENTION_DAYS: '0',
    GHL_WEBHOOK_MAX_SKEW_MS: '86400000',
  });
  assert.equal(kept.GHL_WEBHOOK_MAX_SKEW_MS, 86_400_000, 'no retention: any skew');
  assert.equal(loadConfig({}).TTSYNC_INBOX_RETENTION_DAYS, 30);
});

test('webhook keys parse as a list, PEMs with escaped newlines included', () => {
  const pem =
    '-----BEGIN PUBLIC KEY-----\\nMCowBQYDK2VwAyEAi2HR1srL4o18O8BRa7gVJY7G7bupbN3H9AwJrHCDiOg=\\n-----END PUBLIC KEY-----';
  const config = loadConfig({ GHL_WEBHOOK_PUBLIC_KEYS: `${pem},abcdef0123` });
  assert.equal(config.GHL_WEBHOOK_PUBLIC_KEYS?.length, 2);
  assert.ok(config.GHL_WEBHOOK_PUBLIC_KEYS?.[0]?.includes('\n'));
});
