/**
 * Checks GHL HTTP bodies against the vendored official OpenAPI files in `spec/ghl/` (ghl-api.md §9)
 * plus a small overlay of documented spec gaps (`GHL_SPEC_OVERLAYS`), so tests can prove that the
 * GHL sandbox answers what the real API is specified to answer.
 *
 * OpenAPI 3.0 → JSON Schema: `$ref`s (also across files) are dereferenced with
 * json-schema-ref-parser; `nullable` becomes a `null` type/enum member; `example`, `examples`, `xml`,
 * `externalDocs`, `discriminator` and `x-*` are dropped; formats ajv-formats lacks are accepted.
 * The spec itself is never made stricter (`additionalProperties` stays as written); overlays add
 * only what ghl-api.md documents, each entry citing its section.
 */
import { readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import $RefParser from '@apidevtools/json-schema-ref-parser';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { GHL_SPEC_OVERLAYS, GHL_SPEC_PATCHES } from './ghl-spec-overlays.ts';

const addFormats = addFormatsModule.default;

const DEFAULT_SPEC_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../spec/ghl');
/** Folders whose files declare operations; the others only serve overlay `$ref`s. */
const OPERATION_DIR = 'apps';
const SPEC_DIRS = [OPERATION_DIR, 'common', 'contacts-2025'] as const;
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace'] as const;
const JSON_MEDIA = 'application/json';

/** One operation of the spec, as `listOperations()` reports it. */
export interface SpecOperation {
  /** Upper case, e.g. `GET`. */
  readonly method: string;
  /** Spec template, e.g. `/contacts/{contactId}`. */
  readonly path: string;
  readonly operationId: string;
  /** Spec file relative to the spec folder, e.g. `apps/contacts.json`. */
  readonly file: string;
}

/** A response as seen on the wire. `path` is concrete (`/contacts/abc?x=1` or a full URL). */
export interface ResponseToValidate {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly body: unknown;
  /** Schema for a gap the built-in overlay leaves open (e.g. a status the spec declares without a body). */
  readonly overlay?: ResponseOverlay;
}

/** A request body to check against the operation's `requestBody`. */
export interface RequestToValidate {
  readonly method: string;
  readonly path: string;
  /** For form bodies pass `Object.fromEntries(new URLSearchParams(…))`; strings are coerced. */
  readonly body: unknown;
  /** Defaults to `application/json`. */
  readonly contentType?: string;
}

export interface ValidationResult {
  readonly ok: boolean;
  readonly operationId?: string;
  /** Spec template of the matched operation. */
  readonly path?: string;
  readonly file?: string;
  /** Ids of the overlays that shaped the schema (`caller:<id>` for one passed in the call). */
  readonly overlays: readonly string[];
  /** Readable, e.g. `/contact/tags must be array (got "vip")`. */
  readonly errors: readonly string[];
}

export interface GhlSpecValidator {
  validateResponse(response: ResponseToValidate): ValidationResult;
  validateRequestBody(request: RequestToValidate): ValidationResult;
  /** A body assembled from the spec's own `example` values (no overlay), for fixtures and tests. */
  exampleResponse(request: { method: string; path: string; status: number }): unknown;
  /** The operation a request would hit, or `undefined` when the spec has none. */
  findOperation(method: string, path: string): SpecOperation | undefined;
  listOperations(): readonly SpecOperation[];
}

export interface LoadOptions {
  /** Defaults to `GHL_SPEC_OVERLAYS`; pass `[]` (and `patches: []`) for the bare spec. */
  readonly overlays?: readonly SpecOverlay[];
  /** Defaults to `GHL_SPEC_PATCHES`. */
  readonly patches?: readonly SpecPatch[];
}

/**
 * A correction of one schema component, made in the loaded spec itself so that it holds wherever
 * the component is used (dereferenced components are shared objects).
 */
export interface SpecPatch {
  readonly id: string;
  /** Spec file relative to spec/ghl, e.g. `apps/contacts.json`. */
  readonly file: string;
  /** JSON pointer to the schema replaced; it must exist. */
  readonly pointer: string;
  readonly schema: Readonly<Schema>;
  /** Where the gap is documented (a ghl-api.md section). */
  readonly source: string;
}

/** How an overlay combines with what the spec declares for the status. */
export type OverlayMode =
  /** Used only where the spec declares no schema for the status. */
  | 'fill'
  /** Checked on top of the spec's schema (`allOf`): for fields the spec omits. */
  | 'extend'
  /** Used instead of the spec's schema: for fields the spec gets wrong. */
  | 'replace';

/** A schema for one gap of the spec, not bound to an operation. */
export interface ResponseOverlay {
  /** Short name, reported in `ValidationResult.overlays`. */
  readonly id: string;
  readonly mode: OverlayMode;
  /** JSON Schema (OpenAPI 3.0 dialect allowed); `{ $ref: '<file>#<pointer>' }` points into spec/ghl. */
  readonly schema: Readonly<Schema>;
  /** JSON pointer into the resolved `schema` → replacement; the target must exist. */
  readonly patches?: Readonly<Record<string, Readonly<Schema>>>;
  /** Where the gap is documented (a ghl-api.md section). */
  readonly source: string;
}

/** A `ResponseOverlay` bound to operations (`*` = any) and one status. */
export interface SpecOverlay extends ResponseOverlay {
  readonly method: string;
  /** Spec template, e.g. `/contacts/search`, or `*`. */
  readonly path: string;
  readonly status: number;
}

/** Loads and dereferences every spec file under `specDir` (default `<repo>/spec/ghl`). */
export async function loadGhlSpecValidator(
  specDir: string = DEFAULT_SPEC_DIR,
  options: LoadOptions = {},
): Promise<GhlSpecValidator> {
  const files = (
    await Promise.all(
      SPEC_DIRS.map(async (dir) =>
        (await readdir(join(specDir, dir)))
          .filter((name) => name.endsWith('.json'))
          .map((name) => `${dir}/${name}`),
      ),
    )
  ).flat();
  const docs = new Map<string, Schema>();
  await Promise.all(
    files.sort().map(async (file) => {
      const doc: unknown = await $RefParser.dereference(join(specDir, file), {
        dereference: { circular: false },
      });
      if (!isObject(doc)) throw new Error(`${file} is not an OpenAPI document`);
      docs.set(file, doc);
    }),
  );
  for (const patch of options.patches ?? GHL_SPEC_PATCHES) {
    const doc = docs.get(patch.file);
    if (doc === undefined) throw new Error(`patch ${patch.id}: no ${patch.file} under ${specDir}`);
    replaceAt(doc, patch.pointer, structuredClone(patch.schema), `patch ${patch.id}`);
  }
  return new SpecValidator(docs, options.overlays ?? GHL_SPEC_OVERLAYS);
}

export type Schema = Record<string, unknown>;

interface Operation extends SpecOperation {
  /** Literal segments, `undefined` for a `{param}`. */
  readonly segments: readonly (string | undefined)[];
  readonly spec: Schema;
}

type Lookup = { op: Operation } | { error: string };

class SpecValidator implements GhlSpecValidator {
  readonly #operations: readonly Operation[];
  readonly #docs: ReadonlyMap<string, Schema>;
  readonly #overlays: readonly { overlay: SpecOverlay; schema: unknown }[];
  readonly #ajv = newAjv(false);
  readonly #coercingAjv = newAjv(true);
  readonly #compiled = new Map<string, ValidateFunction>();

  constructor(docs: ReadonlyMap<string, Schema>, overlays: readonly SpecOverlay[]) {
    this.#docs = docs;
    this.#operations = [...docs].flatMap(([file, doc]) =>
      file.startsWith(`${OPERATION_DIR}/`) ? operationsOf(file, doc) : [],
    );
    // Resolved up front so a stale overlay `$ref` or patch fails at load, not in some test.
    this.#overlays = overlays.map((overlay) => ({
      overlay,
      schema: this.#resolveOverlay(overlay),
    }));
  }

  listOperations(): readonly SpecOperation[] {
    return this.#operations.map(({ method, path, operationId, file }) => ({
      method,
      path,
      operationId,
      file,
    }));
  }

  findOperation(method: string, path: string): SpecOperation | undefined {
    const found = this.#find(method, path);
    if ('error' in found) return undefined;
    const { method: m, path: p, operationId, file } = found.op;
    return { method: m, path: p, operationId, file };
  }

  validateResponse({ method, path, status, body, overlay }: ResponseToValidate): ValidationResult {
    const found = this.#find(method, path);
    if ('error' in found) return { ok: false, overlays: [], errors: [found.error] };
    const { op } = found;
    const responses = isObject(op.spec.responses) ? op.spec.responses : {};
    const key = [String(status), `${String(status).charAt(0)}XX`, 'default'].find(
      (k) => k in responses,
    );
    const specSchema = key === undefined ? undefined : mediaSchema(responses[key], JSON_MEDIA);

    const candidates = [
      ...(overlay
        ? [{ overlay, schema: this.#resolveOverlay(overlay), id: `caller:${overlay.id}` }]
        : []),
      ...this.#overlays
        .filter(({ overlay: o }) => o.status === status && matchesRoute(o, op))
        // Overlays for this very operation win over wildcard ones.
        .sort((a, b) => Number(a.overlay.path === '*') - Number(b.overlay.path === '*'))
        .map((entry) => ({ ...entry, id: entry.overlay.id })),
    ];
    const replace = candidates.find((c) => c.overlay.mode === 'replace');
    const fill = candidates.find((c) => c.overlay.mode === 'fill');
    const extend = candidates.filter((c) => c.overlay.mode === 'extend');
    const used = replace
      ? [replace]
      : [...(specSchema === undefined && fill ? [fill] : []), ...extend];
    const parts =
      replace || specSchema === undefined
        ? used.map((c) => c.schema)
        : [specSchema, ...used.map((c) => c.schema)];
    const context = {
      operationId: op.operationId,
      path: op.path,
      file: op.file,
      overlays: used.map((c) => c.id),
    };
    if (parts.length === 0) {
      const declared = Object.keys(responses).join(', ') || 'none';
      return {
        ...context,
        ok: false,
        errors: [
          `spec declares no schema for ${status} on ${op.method} ${op.path} (${op.operationId} in ${op.file}; declared responses: ${declared})`,
        ],
      };
    }
    const cacheKey = overlay
      ? undefined
      : `${op.file} ${op.method} ${op.path} ${status} ${context.overlays.join(',')}`;
    const validate = this.#compile(
      this.#ajv,
      parts.length === 1 ? parts[0] : { allOf: parts },
      cacheKey,
    );
    return { ...context, ...run(validate, body) };
  }

  validateRequestBody({
    method,
    path,
    body,
    contentType = JSON_MEDIA,
  }: RequestToValidate): ValidationResult {
    const found = this.#find(method, path);
    if ('error' in found) return { ok: false, overlays: [], errors: [found.error] };
    const { op } = found;
    const context = { operationId: op.operationId, path: op.path, file: op.file, overlays: [] };
    const schema = mediaSchema(op.spec.requestBody, contentType);
    if (schema === undefined) {
      return {
        ...context,
        ok: false,
        errors: [
          `spec declares no ${contentType} request body for ${op.method} ${op.path} (${op.operationId})`,
        ],
      };
    }
    const form = contentType !== JSON_MEDIA;
    const validate = this.#compile(
      form ? this.#coercingAjv : this.#ajv,
      schema,
      `request ${contentType} ${op.file} ${op.method} ${op.path}`,
    );
    // Coercion rewrites the data in place; keep the caller's object intact.
    return { ...context, ...run(validate, form ? structuredClone(body) : body) };
  }

  exampleResponse({
    method,
    path,
    status,
  }: {
    method: string;
    path: string;
    status: number;
  }): unknown {
    const found = this.#find(method, path);
    if ('error' in found) throw new Error(found.error);
    const responses = isObject(found.op.spec.responses) ? found.op.spec.responses : {};
    return exampleOf(mediaSchema(responses[String(status)], JSON_MEDIA), 0);
  }

  #find(method: string, path: string): Lookup {
    const segments = concreteSegments(path);
    const upper = method.toUpperCase();
    const onPath = this.#operations.filter((op) => templateMatches(op.segments, segments));
    if (onPath.length === 0)
      return { error: `no operation in spec/ghl/${OPERATION_DIR} matches path ${path}` };
    // Like the real router: the method narrows first, then literal segments beat `{params}`.
    const [best] = onPath
      .filter((op) => op.method === upper)
      .sort((a, b) => bySpecificity(a.segments, b.segments));
    if (best) return { op: best };
    const declared = [...new Set(onPath.map((op) => `${op.method} ${op.path}`))].join(', ');
    return { error: `no ${upper} operation matches path ${path}; the spec declares ${declared}` };
  }

  #compile(ajv: Ajv, schema: unknown, cacheKey: string | undefined): ValidateFunction {
    const cached =
      cacheKey === undefined
        ? undefined
        : this.#compiled.get(`${String(ajv === this.#coercingAjv)} ${cacheKey}`);
    if (cached) return cached;
    const formats = new Set<string>();
    const jsonSchema = toJsonSchema(schema, new WeakMap(), formats);
    for (const format of formats)
      if (ajv.formats[format] === undefined) ajv.addFormat(format, true);
    const validate = ajv.compile(isObject(jsonSchema) ? jsonSchema : {});
    if (cacheKey !== undefined)
      this.#compiled.set(`${String(ajv === this.#coercingAjv)} ${cacheKey}`, validate);
    return validate;
  }

  #resolveOverlay(overlay: ResponseOverlay): unknown {
    const resolved = this.#resolveRefs(overlay.schema);
    if (!overlay.patches) return resolved;
    const copy: unknown = structuredClone(resolved);
    for (const [pointer, replacement] of Object.entries(overlay.patches)) {
      replaceAt(copy, pointer, this.#resolveRefs(replacement), `overlay ${overlay.id}`);
    }
    return copy;
  }

  /** Copies an overlay schema, replacing `{ $ref: '<file>#<pointer>' }` with the spec's schema there. */
  #resolveRefs(node: unknown): unknown {
    if (Array.isArray(node)) return node.map((item) => this.#resolveRefs(item));
    if (!isObject(node)) return node;
    const { $ref, ...rest } = node;
    const entries = Object.entries(rest).map(([k, v]) => [k, this.#resolveRefs(v)] as const);
    if (typeof $ref !== 'string') return Object.fromEntries(entries);
    const [file = '', pointer = ''] = $ref.split('#');
    const target = pointer
      .split('/')
      .slice(1)
      .map(unescapePointer)
      .reduce<unknown>((n, k) => (isObject(n) ? n[k] : undefined), this.#docs.get(file));
    if (target === undefined)
      throw new Error(`overlay $ref ${$ref} resolves to nothing under spec/ghl`);
    return entries.length === 0 ? target : { allOf: [target, Object.fromEntries(entries)] };
  }
}

function newAjv(coerceTypes: boolean): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    verbose: true,
    coerceTypes,
    // The spec's patterns are ECMA-262 without the `u` flag; type/tuple lint is noise here.
    unicodeRegExp: false,
    strictTypes: false,
    strictTuples: false,
    strictRequired: false,
  });
  addFormats(ajv);
  return ajv;
}

function operationsOf(file: string, doc: Schema): Operation[] {
  const paths = isObject(doc.paths) ? doc.paths : {};
  return Object.entries(paths).flatMap(([path, item]) =>
    HTTP_METHODS.flatMap((method) => {
      const spec = isObject(item) ? item[method] : undefined;
      if (!isObject(spec)) return [];
      const operationId =
        typeof spec.operationId === 'string' ? spec.operationId : `${method} ${path}`;
      const segments = path
        .split('/')
        .filter((s) => s !== '')
        .map((s) => (s.includes('{') ? undefined : s));
      return [{ method: method.toUpperCase(), path, operationId, file, segments, spec }];
    }),
  );
}

function matchesRoute(overlay: SpecOverlay, op: Operation): boolean {
  return (
    (overlay.method === '*' || overlay.method === op.method) &&
    (overlay.path === '*' || overlay.path === op.path)
  );
}

function concreteSegments(path: string): string[] {
  const pathname = /^https?:\/\//.test(path)
    ? new URL(path).pathname
    : (path.split(/[?#]/)[0] ?? '');
  return pathname
    .split('/')
    .filter((s) => s !== '')
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
}

function templateMatches(
  template: readonly (string | undefined)[],
  concrete: readonly string[],
): boolean {
  return (
    template.length === concrete.length &&
    template.every((s, i) => s === undefined || s === concrete[i])
  );
}

/** Negative when `a` is more specific: at the first differing position, a literal beats a param. */
function bySpecificity(
  a: readonly (string | undefined)[],
  b: readonly (string | undefined)[],
): number {
  for (let i = 0; i < a.length; i++) {
    const diff = Number(b[i] !== undefined) - Number(a[i] !== undefined);
    if (diff !== 0) return diff;
  }
  return 0;
}

function mediaSchema(holder: unknown, contentType: string): unknown {
  const content = isObject(holder) && isObject(holder.content) ? holder.content : {};
  const media = content[contentType];
  return isObject(media) && media.schema !== undefined ? media.schema : undefined;
}

const DROPPED_KEYWORDS = new Set([
  'example',
  'examples',
  'xml',
  'externalDocs',
  'discriminator',
  'nullable',
]);
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', 'definitions', '$defs']);
const SCHEMA_VALUED = new Set([
  'items',
  'additionalItems',
  'additionalProperties',
  'not',
  'contains',
  'propertyNames',
  'if',
  'then',
  'else',
  'allOf',
  'anyOf',
  'oneOf',
]);

/** OpenAPI 3.0 schema → JSON Schema (draft-07, as ajv reads it). Shared sub-schemas stay shared. */
function toJsonSchema(
  node: unknown,
  memo: WeakMap<object, unknown>,
  formats: Set<string>,
): unknown {
  if (Array.isArray(node)) return node.map((item) => toJsonSchema(item, memo, formats));
  if (!isObject(node)) return node;
  const seen = memo.get(node);
  if (seen !== undefined) return seen;
  const out: Schema = {};
  memo.set(node, out);
  for (const [key, value] of Object.entries(node)) {
    if (DROPPED_KEYWORDS.has(key) || key.startsWith('x-')) continue;
    if (SCHEMA_MAPS.has(key) && isObject(value)) {
      out[key] = Object.fromEntries(
        Object.entries(value).map(([k, v]) => [k, toJsonSchema(v, memo, formats)]),
      );
    } else if (SCHEMA_VALUED.has(key)) {
      out[key] = toJsonSchema(value, memo, formats);
    } else {
      out[key] = value;
    }
  }
  if (typeof out.format === 'string') formats.add(out.format);
  if (node.nullable === true) {
    if (typeof out.type === 'string') {
      out.type = [out.type, 'null'];
      const values: unknown = out.enum;
      if (Array.isArray(values) && !values.includes(null))
        out.enum = [...(values as unknown[]), null];
    } else if (out.type === undefined) {
      const inner = { ...out };
      for (const key of Object.keys(out)) delete out[key];
      out.anyOf = [{ type: 'null' }, inner];
    }
  }
  return out;
}

function run(validate: ValidateFunction, body: unknown): { ok: boolean; errors: string[] } {
  const ok = validate(body);
  return { ok, errors: ok ? [] : [...new Set((validate.errors ?? []).map(describe))] };
}

function describe(error: ErrorObject): string {
  const where = error.instancePath === '' ? '(root)' : error.instancePath;
  const params: Record<string, unknown> = error.params;
  let text = `${where} ${error.message ?? error.keyword}`;
  if (error.keyword === 'enum') text += ` ${JSON.stringify(params.allowedValues)}`;
  if (error.keyword === 'additionalProperties') text += ` '${String(params.additionalProperty)}'`;
  if (['type', 'enum', 'const', 'format', 'pattern'].includes(error.keyword))
    text += ` (got ${preview(error.data)})`;
  return text;
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function exampleOf(schema: unknown, depth: number): unknown {
  if (!isObject(schema) || depth > 10) return undefined;
  if (schema.example !== undefined) return schema.example;
  if (Array.isArray(schema.allOf)) {
    return Object.assign({}, ...schema.allOf.map((s) => exampleOf(s, depth + 1)).filter(isObject));
  }
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(alternatives)) return exampleOf(alternatives[0], depth + 1);
  if (schema.default !== undefined) return schema.default;
  if (Array.isArray(schema.enum)) return schema.enum[0];
  switch (schema.type) {
    case 'object': {
      const properties = isObject(schema.properties) ? Object.entries(schema.properties) : [];
      return Object.fromEntries(
        properties
          .map(([k, v]) => [k, exampleOf(v, depth + 1)] as const)
          .filter(([, v]) => v !== undefined),
      );
    }
    case 'array': {
      const item = exampleOf(schema.items, depth + 1);
      return item === undefined ? [] : [item];
    }
    case 'string':
      return schema.format === 'date-time' ? '2021-07-02T05:18:26.704Z' : 'string';
    case 'number':
    case 'integer':
      return 0;
    case 'boolean':
      return false;
    default:
      return undefined;
  }
}

/** Replaces the value at a JSON pointer in place; throws when there is nothing to replace. */
function replaceAt(root: unknown, pointer: string, value: unknown, owner: string): void {
  const keys = pointer.split('/').slice(1).map(unescapePointer);
  const last = keys.pop();
  const parent = keys.reduce<unknown>((node, k) => (isObject(node) ? node[k] : undefined), root);
  if (last === undefined || !isObject(parent) || !(last in parent)) {
    throw new Error(`${owner}: ${pointer} does not exist (has the spec changed?)`);
  }
  parent[last] = value;
}

function unescapePointer(token: string): string {
  return token.replaceAll('~1', '/').replaceAll('~0', '~');
}

function isObject(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
