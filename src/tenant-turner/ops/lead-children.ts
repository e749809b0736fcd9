/**
 * Tasks and notes on a lead: modeled extensions (tenant-turner-api.md §2.2, `x-modeled`) that
 * a real account does not have. Both have the same shape of API:
 * `GET/POST /v1/applications/{id}/<kind>` and `GET/PUT/DELETE /v1/<kind>/{id}`, and a create
 * carrying an `ExternalId` is idempotent (a repeat returns the first record with 200), so the
 * client retries it like any safe call. On a real account every method throws the
 * `unsupported` error before calling anything.
 */
import type { z } from 'zod';
import type { TtExtension } from '../capabilities.ts';
import type { NoteInput, NoteUpdate, TaskInput, TaskUpdate } from '../inputs.ts';
import { MAX_NOTE_LENGTH, MAX_TASK_TITLE } from '../inputs.ts';
import { paginateItems } from '../pagination.ts';
import { noteSchema, taskSchema } from '../resources.ts';
import type { Note, Task } from '../resources.ts';
import { decode } from '../wire-codec.ts';
import type { CallOptions, Created, TtContext } from './context.ts';
import { checkLength, createdId, send, seg } from './context.ts';

/** How one kind of lead child is reached. */
interface ChildKind<T> {
  extension: TtExtension & ('tasks' | 'notes');
  /** Path segment: `tasks`, `notes`. */
  segment: string;
  /** Id key in create answers: `TaskId`, `NoteId`. */
  idKey: string;
  schema: z.ZodType<T>;
  what: string;
  /** The length-limited text field, refused before sending when too long. */
  limit: { field: string; max: number; label: string };
}

/** The operations shared by tasks and notes. */
class LeadChildOps<T, I extends { externalId?: string }, U extends object> {
  readonly #ctx: TtContext;
  readonly #kind: ChildKind<T>;

  constructor(ctx: TtContext, kind: ChildKind<T>) {
    this.#ctx = ctx;
    this.#kind = kind;
  }

  /** Every record on the lead. */
  async *list(
    applicationId: number,
    options: CallOptions = {},
  ): AsyncGenerator<T, void, undefined> {
    await this.#require('list', options);
    yield* paginateItems(this.#ctx.http, {
      path: `/v1/applications/${seg(applicationId)}/${this.#kind.segment}`,
      item: this.#kind.schema,
      what: this.#kind.what,
      signal: options.signal,
      logger: this.#ctx.logger,
    });
  }

  /**
   * Creates a record on the lead. With `externalId` the call is idempotent: a retry after a
   * lost response, or a second call, returns the first record with `alreadyExisted: true`.
   * Without it a timeout or 5xx is ambiguous (`isAmbiguous()`).
   */
  async create(applicationId: number, input: I, options: CallOptions = {}): Promise<Created<T>> {
    this.#checkLength(input);
    await this.#require('create', options);
    const { status, body } = await send(
      this.#ctx,
      {
        method: 'POST',
        path: `/v1/applications/${seg(applicationId)}/${this.#kind.segment}`,
        body: input,
        idempotent: input.externalId !== undefined,
      },
      options,
    );
    const whole = this.#kind.schema.safeParse(body);
    const record = whole.success
      ? whole.data
      : await this.get(createdId(body, this.#kind.idKey, `POST ${this.#kind.segment}`), options);
    return { record, alreadyExisted: status === 200 };
  }

  /** One record by id. */
  async get(id: number, options: CallOptions = {}): Promise<T> {
    await this.#require('get', options);
    const { body } = await send(this.#ctx, { method: 'GET', path: this.#path(id) }, options);
    return decode(this.#kind.schema, body, this.#kind.what);
  }

  /** Changes the given fields (204). */
  async update(id: number, input: U, options: CallOptions = {}): Promise<void> {
    this.#checkLength(input);
    await this.#require('update', options);
    await send(this.#ctx, { method: 'PUT', path: this.#path(id), body: input }, options);
  }

  /** Deletes the record. */
  async delete(id: number, options: CallOptions = {}): Promise<void> {
    await this.#require('delete', options);
    await send(this.#ctx, { method: 'DELETE', path: this.#path(id) }, options);
  }

  #checkLength(input: object): void {
    const { field, max, label } = this.#kind.limit;
    const value = (input as Record<string, unknown>)[field];
    if (typeof value === 'string') checkLength(value, max, label);
  }

  #path(id: number): string {
    return `/v1/${this.#kind.segment}/${seg(id)}`;
  }

  #require(operation: string, options: CallOptions): Promise<void> {
    return this.#ctx.capabilities.require(
      this.#kind.extension,
      `${this.#kind.segment}.${operation}`,
      options.signal,
    );
  }
}

/** Modeled tasks on a lead (Buildium-style: status, priority, due date, assignee; title ≤ 127). */
export class TtTasks extends LeadChildOps<Task, TaskInput, TaskUpdate> {
  constructor(ctx: TtContext) {
    super(ctx, {
      extension: 'tasks',
      segment: 'tasks',
      idKey: 'TaskId',
      schema: taskSchema,
      what: 'Task',
      limit: { field: 'title', max: MAX_TASK_TITLE, label: 'Task title' },
    });
  }
}

/** Modeled notes on a lead (note ≤ 65,535 characters). */
export class TtNotes extends LeadChildOps<Note, NoteInput, NoteUpdate> {
  constructor(ctx: TtContext) {
    super(ctx, {
      extension: 'notes',
      segment: 'notes',
      idKey: 'NoteId',
      schema: noteSchema,
      what: 'Note',
      limit: { field: 'note', max: MAX_NOTE_LENGTH, label: 'Note' },
    });
  }
}
