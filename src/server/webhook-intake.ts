/**
 * The verification step both webhook routes share: a raw JSON body, checked by the provider's
 * verifier; anything that does not verify is answered with a clear 4xx and neither stored nor
 * processed.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppError } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';
import type { Result } from '../shared/result.ts';
import { errorBody } from './errors.ts';

/** HTTP status per verifier reason (`AppError.details.reason`); anything else is a 400. */
const STATUS_OF_REASON: Record<string, number> = {
  signature_missing: 401,
  signature_invalid: 401,
  body_too_large: 413,
  json_invalid: 400,
  payload_invalid: 400,
  stale: 400,
};

/** What a route needs to verify its provider's webhooks. */
export interface WebhookIntake<E> {
  /** The provider as the user knows it, for messages: `GHL`, `Tenant Turner`. */
  provider: string;
  verify(
    rawBody: Buffer,
    headers: FastifyRequest['headers'],
  ): Result<E, AppError> | Promise<Result<E, AppError>>;
  logger: Logger;
}

/**
 * The verified event with its raw bytes, or undefined once `reply` has been sent the refusal
 * (400 for a body that is not raw JSON, 401 / 413 / 400 per the verifier's reason).
 */
export async function verifiedEvent<E>(
  request: FastifyRequest,
  reply: FastifyReply,
  intake: WebhookIntake<E>,
): Promise<{ raw: Buffer; event: E } | undefined> {
  const raw = request.body;
  if (!Buffer.isBuffer(raw)) {
    await reply
      .code(400)
      .send(
        errorBody(
          'webhook_invalid',
          `Send the ${intake.provider} event as an application/json body.`,
        ),
      );
    return undefined;
  }
  const verified = await intake.verify(raw, request.headers);
  if (!verified.ok) {
    const detail = verified.error.details?.['reason'];
    const reason = typeof detail === 'string' ? detail : 'payload_invalid';
    intake.logger.warn({ reason, bytes: raw.length }, `${intake.provider} webhook rejected`);
    await reply
      .code(STATUS_OF_REASON[reason] ?? 400)
      .send(errorBody(verified.error.code, verified.error.message));
    return undefined;
  }
  return { raw, event: verified.value };
}
