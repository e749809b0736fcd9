/**
 * Checks Tenant Turner sandbox traffic against spec/tenant-turner/openapi.json (OpenAPI 3.1, so
 * its schemas are JSON Schema 2020-12 and ajv's 2020 dialect reads them as they are): responses
 * per operation and status, request bodies, and webhook bodies. A response the operation does
 * not declare, a body where none is declared, or none where one is, all fail.
 */
import { readFile } from 'node:fs/promises';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

const addFormats = addFormatsModule.default;

export const TT_SPEC_FILE = new URL('../../spec/tenant-turner/openapi.json', import.meta.url);

const COMPONENTS_ID = 'https://ttsync.invalid/tenant-turner/components.json';
const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

type Node = Record<string, unknown>;

export interface TtSpecOperation {
  readonly method: string;
  /** Template, e.g. `/v1/applications/{applicationId}`. */
  readonly path: string;
  readonly operationId: string;
  /** Marked `x-modeled: true`: absent from the real service. */
  readonly modeled: boolean;
}

export interface TtValidation {
  readonly ok: boolean;
  readonly operationId?: string;
  readonly errors: readonly string[];
}

export interface TtSpecValidator {
  readonly operations: readonly TtSpecOperation[];
  find(method: string, path: string): TtSpecOperation | undefined;
  /** `body` undefined means an empty body. */
  validateResponse(response: {
    method: string;
    path: string;
    status: number;
    body: unknown;
  }): TtValidation;
  validateRequest(request: { method: string; path: string; body: unknown }): TtValidation;
  validateWebhook(body: unknown): TtValidation;
}

interface Operation extends TtSpecOperation {
  readonly pattern: RegExp;
  readonly params: number;
  readonly spec: Node;
}

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function child(node: unknown, ...keys: string[]): unknown {
  return keys.reduce<unknown>((at, key) => (isNode(at) ? at[key] : undefined), node);
}

/** Points `#/components/schemas/X` at the registered components document. */
function relink<T>(schema: T): T {
  return JSON.parse(
    JSON.stringify(schema).replaceAll('"#/components/schemas/', `"${COMPONENTS_ID}#/$defs/`),
  ) as T;
}

function describe(error: ErrorObject): string {
  const where = error.instancePath === '' ? '(root)' : error.instancePath;
  const extra =
    error.keyword === 'additionalProperties'
      ? ` '${String((error.params as Node)['additionalProperty'])}'`
      : '';
  return `${where} ${error.message ?? error.keyword}${extra}`;
}

function operationsOf(doc: Node): Operation[] {
  const paths = isNode(doc['paths']) ? doc['paths'] : {};
  return Object.entries(paths).flatMap(([path, item]) =>
    METHODS.flatMap((method) => {
      const spec = child(item, method);
      if (!isNode(spec)) return [];
      const source = path.replace(/\{[^}]+\}/g, '[^/]+');
      return [
        {
          method: method.toUpperCase(),
          path,
          operationId: String(spec['operationId']),
          modeled: spec['x-modeled'] === true,
          pattern: new RegExp(`^${source}$`),
          params: (path.match(/\{/g) ?? []).length,
          spec,
        },
      ];
    }),
  );
}

/** Loads the document and compiles its schemas lazily. */
export async function loadTtSpecValidator(file: URL = TT_SPEC_FILE): Promise<TtSpecValidator> {
  const doc = JSON.parse(await readFile(file, 'utf8')) as Node;
  const ajv = new Ajv2020({
    allErrors: true,
    strict: true,
    allowUnionTypes: true,
    strictRequired: false,
  });
  addFormats(ajv);
  ajv.addKeyword({ keyword: 'x-modeled', schemaType: 'boolean' });
  ajv.addSchema({ $id: COMPONENTS_ID, $defs: relink(child(doc, 'components', 'schemas')) });
  const compiled = new WeakMap<object, ValidateFunction>();
  const check = (schema: Node, body: unknown, operationId: string): TtValidation => {
    let validate = compiled.get(schema);
    if (validate === undefined) compiled.set(schema, (validate = ajv.compile(relink(schema))));
    const ok = validate(body);
    return { ok, operationId, errors: ok ? [] : (validate.errors ?? []).map(describe) };
  };
  // Literal segments win over parameters, as in the server's router.
  const operations = operationsOf(doc).sort((a, b) => a.params - b.params);
  const find = (method: string, path: string): Operation | undefined => {
    const pathname = path.split('?')[0] ?? '';
    return operations.find((op) => op.method === method.toUpperCase() && op.pattern.test(pathname));
  };
  const fail = (error: string, operationId?: string): TtValidation => ({
    ok: false,
    errors: [error],
    ...(operationId === undefined ? {} : { operationId }),
  });

  return {
    operations: operations.map(({ method, path, operationId, modeled }) => ({
      method,
      path,
      operationId,
      modeled,
    })),
    find,
    validateResponse({ method, path, status, body }) {
      const op = find(method, path);
      if (op === undefined) return fail(`no operation for ${method} ${path}`);
      const responses = child(op.spec, 'responses');
      const key = [String(status), `${String(status).charAt(0)}XX`, 'default'].find(
        (k) => isNode(responses) && k in responses,
      );
      if (key === undefined) return fail(`${op.operationId} declares no ${status}`, op.operationId);
      const schema = child(responses, key, 'content', 'application/json', 'schema');
      if (!isNode(schema))
        return body === undefined
          ? { ok: true, operationId: op.operationId, errors: [] }
          : fail(`${op.operationId} ${status} declares no body, got one`, op.operationId);
      if (body === undefined)
        return fail(`${op.operationId} ${status} declares a body, got none`, op.operationId);
      return check(schema, body, op.operationId);
    },
    validateRequest({ method, path, body }) {
      const op = find(method, path);
      if (op === undefined) return fail(`no operation for ${method} ${path}`);
      const schema = child(op.spec, 'requestBody', 'content', 'application/json', 'schema');
      if (!isNode(schema)) return fail(`${op.operationId} takes no body`, op.operationId);
      return check(schema, body, op.operationId);
    },
    validateWebhook(body) {
      const schema = child(doc, 'webhooks', 'tenantTurnerEvent', 'post', 'requestBody');
      const media = child(schema, 'content', 'application/json', 'schema');
      if (!isNode(media)) return fail('the document declares no webhook body');
      return check(media, body, 'tenantTurnerEvent');
    },
  };
}
