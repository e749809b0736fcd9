import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { createLogger, redactLine, secrets, SecretRegistry } from '../src/shared/logger.ts';

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

test('a registered secret never appears in a log line, wherever it is put', async () => {
  const seeded = `pit-${crypto.randomUUID()}`;
  secrets.add(seeded);
  const { stream, text } = capture();
  const logger = createLogger({ destination: stream, level: 'debug' });
  logger.info(
    { note: `token was ${seeded} here`, nested: { deep: { value: seeded } } },
    'with secret in fields',
  );
  logger.error({ err: new Error(`request failed with ${seeded}`) }, 'with secret in an error');
  logger.child({ token: seeded }).warn({}, 'with secret in bindings');
  logger.debug({ url: `https://x.test/cb?code=${seeded}` }, 'in a url');
  await flush();
  const out = text();
  assert.equal(out.split('\n').filter(Boolean).length, 4, 'all four lines written');
  assert.ok(!out.includes(seeded), `secret leaked: ${out}`);
  assert.ok(out.includes('[REDACTED]'));
});

test('secret-named keys are redacted at any depth without registration', async () => {
  const { stream, text } = capture();
  const logger = createLogger({ destination: stream });
  const values = {
    access_token: 'at-1234567890',
    refresh_token: 'rt-1234567890',
    apiKey: 'ak-1234567890',
    client_secret: 'cs-1234567890',
  };
  logger.info(
    {
      response: { body: values },
      headers: { Authorization: 'Bearer zz-1234567890', 'x-api-key': 'xk-1234567890' },
    },
    'shapes',
  );
  await flush();
  const out = text();
  for (const value of [...Object.values(values), 'zz-1234567890', 'xk-1234567890']) {
    assert.ok(!out.includes(value), `${value} leaked: ${out}`);
  }
});

test('Bearer and Basic credentials inside free text are redacted', () => {
  const line = redactLine(
    '{"msg":"sent Authorization: Bearer abc.def-ghi and Basic dXNlcjpwYXNz"}',
    new SecretRegistry(),
  );
  assert.ok(!line.includes('abc.def-ghi'));
  assert.ok(!line.includes('dXNlcjpwYXNz'));
});

test('ordinary fields are left alone', () => {
  const line = redactLine(
    '{"locationId":"ve9EPM428h8vShlRW1KT","tokens":3,"msg":"hello"}',
    new SecretRegistry(),
  );
  assert.equal(line, '{"locationId":"ve9EPM428h8vShlRW1KT","tokens":3,"msg":"hello"}');
});
