/**
 * `node sandbox/tenant-turner/cli.ts` (what `ttsync sandbox tt` runs): the flags reach the sandbox,
 * the printout gives a working base URL, API key, signing key, surface and the operator
 * endpoints, SIGTERM stops it cleanly, and a bad flag exits 1 with a message.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { ttSandboxOptionsFrom } from '../sandbox/tenant-turner/cli.ts';
import { basic, waitUntil } from './support/tt-harness.ts';

const CLI = fileURLToPath(new URL('../sandbox/tenant-turner/cli.ts', import.meta.url));

function field(output: string, label: string): string {
  const match = new RegExp(`^\\s+${label}\\s+(\\S+)`, 'm').exec(output);
  if (match?.[1] === undefined) throw new Error(`no "${label}" line in:\n${output}`);
  return match[1];
}

void describe('sandbox tt CLI', () => {
  void test('flags parse into options; bad values are refused', () => {
    assert.deepEqual(
      ttSandboxOptionsFrom([
        '--port',
        '0',
        '--surface',
        'real',
        '--seed',
        '9',
        '--rentals',
        '2',
        '--leads',
        '3',
        '--webhook-url',
        'http://127.0.0.1:1/a',
        '--webhook-url',
        'http://127.0.0.1:1/b',
        '--webhook-retry-interval-ms',
        '50',
      ]),
      {
        port: 0,
        seed: 9,
        rentals: 2,
        leads: 3,
        webhookRetryIntervalMs: 50,
        surface: 'real',
        webhookUrls: ['http://127.0.0.1:1/a', 'http://127.0.0.1:1/b'],
      },
    );
    assert.throws(
      () => ttSandboxOptionsFrom(['--surface', 'fake']),
      /--surface must be "real" or "extended"/,
    );
    assert.throws(
      () => ttSandboxOptionsFrom(['--leads=-1']),
      /--leads must be a non-negative integer/,
    );
    assert.throws(
      () => ttSandboxOptionsFrom(['--webhook-url', 'nope']),
      /--webhook-url must be an absolute URL/,
    );
    assert.throws(() => ttSandboxOptionsFrom(['--colour']), /Unknown option/);
  });

  void test('it prints how to reach it, serves the chosen surface and stops on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      [
        CLI,
        '--port',
        '0',
        '--surface',
        'real',
        '--seed',
        '7',
        '--rentals',
        '2',
        '--leads',
        '3',
        '--showings',
        '1',
        '--webhook-url',
        'http://127.0.0.1:9/hooks',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const exited = once(child, 'exit');
    try {
      await waitUntil('the CLI printout', () => output.includes('Press Ctrl+C'), 20_000);
      const url = field(output, 'base URL');
      const apiKey = field(output, 'API key');
      assert.match(field(output, 'webhook signing key'), /^[0-9a-f]{64}$/);
      assert.equal(field(output, 'surface'), 'real');
      const authorization = output
        .split('\n')
        .find((line) => line.trim().startsWith('Authorization'));
      assert.equal(authorization?.trim().split(/\s+/).slice(1).join(' '), basic(apiKey));
      assert.match(output, /webhooks to\s+http:\/\/127\.0\.0\.1:9\/hooks/);
      assert.match(output, /POST {3}\/__sandbox\/showings\/:id\/schedule/);
      const properties = await fetch(`${url}/v1/properties`, {
        headers: { authorization: basic(apiKey) },
      });
      assert.equal(properties.status, 200);
      assert.equal(((await properties.json()) as { TotalCount: number }).TotalCount, 2);
      const capabilities = await fetch(`${url}/v1/capabilities`, {
        headers: { authorization: basic(apiKey) },
      });
      assert.equal(capabilities.status, 404, 'the real surface has no capabilities');
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = (await exited) as [number | null];
    assert.equal(code, 0);
    assert.match(output, /Tenant Turner sandbox stopped\./);
  });

  void test('a bad flag exits 1 with the reason', async () => {
    const child = spawn(process.execPath, [CLI, '--surface', 'imaginary'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let errors = '';
    child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString('utf8')));
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 1);
    assert.match(errors, /--surface must be "real" or "extended", got "imaginary"/);
  });
});
