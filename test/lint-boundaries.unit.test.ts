/**
 * The module-boundary rule of ARCHITECTURE.md §3 is enforced by the lint config, not by memory:
 * this lints probe sources at chosen paths with the project's real eslint.config.js.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';

// Type information is not needed for import rules; turning it off keeps the probe fast.
const eslint = new ESLint({ overrideConfig: [tseslint.configs.disableTypeChecked] });

async function boundaryErrors(filePath: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath });
  return (result?.messages ?? [])
    .filter((m) => m.ruleId === 'no-restricted-imports')
    .map((m) => m.message);
}

const cases: { from: string; imports: string; allowed: boolean }[] = [
  { from: 'src/shared/probe.ts', imports: '../ghl/client.ts', allowed: false },
  { from: 'src/shared/probe.ts', imports: '../config.ts', allowed: false },
  { from: 'src/ghl/probe.ts', imports: '../tenant-turner/client.ts', allowed: false },
  { from: 'src/ghl/probe.ts', imports: '../../sandbox/ghl/index.ts', allowed: false },
  { from: 'src/ghl/probe.ts', imports: '../shared/errors.ts', allowed: true },
  { from: 'src/ghl/ops/probe.ts', imports: '../../shared/errors.ts', allowed: true },
  { from: 'src/tenant-turner/probe.ts', imports: '../ghl/client.ts', allowed: false },
  { from: 'src/sync/probe.ts', imports: '../server/app.ts', allowed: false },
  { from: 'src/sync/probe.ts', imports: '../ghl/client.ts', allowed: true },
  { from: 'src/cli/probe.ts', imports: '../../sandbox/ghl/index.ts', allowed: false },
  { from: 'bin/probe.ts', imports: '../sandbox/ghl/index.ts', allowed: true },
];

for (const { from, imports, allowed } of cases) {
  test(`${from} importing ${imports} is ${allowed ? 'allowed' : 'refused'}`, async () => {
    const errors = await boundaryErrors(
      from,
      `import { x } from '${imports}';\nexport const y = x;\n`,
    );
    if (allowed) assert.deepEqual(errors, []);
    else assert.equal(errors.length, 1, `expected a boundary error, got ${JSON.stringify(errors)}`);
  });
}
