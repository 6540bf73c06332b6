import { createHash } from 'node:crypto';
import {
  abandonSend,
  applyContactProfile,
  markSentUnrecorded,
  MAX_SEND_ATTEMPTS,
  needsMediaUpload,
  prepareProfileFetch,
  prepareSend,
  recordSendOutcome,
  recordUploadedMedia,
  type BlobStorage,
  type ChannelGateway,
  type JobKind,
  type PreparedSend,
  type SendResult,
} from '@parley/core';
import { isChannelError } from '@parley/channels';
import { claimJobs, completeJob, retryJob, type ClaimedJob } from '@parley/db';
import { conversationStoresFor, type AppContext, type ConversationStores } from '../app-context.ts';
import { failureText } from './failure-text.ts';

const LEASE_MS = 2 * 60_000;
const MEDIA_ATTEMPTS = 6;
const READ_RECEIPT_ATTEMPTS = 3;
/** A profile lookup failing on Meta's side (5xx: after 2, 4, 8, 16 s; throttling: a minute apart) is tried 5 times. */
const PROFILE_ATTEMPTS = 5;
/** Failures worth another try; anything else Meta answers (no consent, privacy, a bad token) ends the lookup. */
const RETRY_CLASSES = new Set(['retryable', 'rate_limited']);

/**
 * How many times a job is claimed before it is given up, whatever went wrong: a classified
 * failure of Meta's, an unexpected error (a database error, a bug), or a worker that died with it.
 */
export const JOB_ATTEMPTS: Record<JobKind, number> = {
  'message.send': MAX_SEND_ATTEMPTS,
  'media.fetch': MEDIA_ATTEMPTS,
  'message.read_receipt': READ_RECEIPT_ATTEMPTS,
  'contact.profile': PROFILE_ATTEMPTS,
};

/** The wait before the next attempt of a job that threw on attempt `attempt` (1-based). */
export function failedJobBackoffMs(attempt: number): number {
  return Math.min(10 * 60_000, 2000 * 2 ** (Math.max(1, attempt) - 1));
}

export interface JobDeps {
  gateway: ChannelGateway;
  storage: BlobStorage;
}

/** The context of the encrypted media bytes (bound into the ciphertext). */
export const MEDIA_BYTES_CONTEXT = 'media_objects.bytes';

/**
 * The first of a job's two transactions: what the provider call needs, or null — then there is
 * nothing left to do and the job ends in the same transaction.
 */
async function prepareOrEnd<T>(
  ctx: AppContext,
  job: ClaimedJob,
  prepare: (stores: ConversationStores) => Promise<T | null>,
): Promise<T | null> {
  return ctx.db.run({ workspaceId: job.workspaceId }, async (tx) => {
    const prepared = await prepare(conversationStoresFor(ctx, tx, job.workspaceId));
    if (!prepared) await completeJob(tx, job.id);
    return prepared;
  });
}

/**
 * Sends one queued message. The provider call happens between two transactions, so no database
 * lock is held while Meta answers; the job's lease keeps other workers off it meanwhile.
 */
async function runSend(ctx: AppContext, deps: JobDeps, job: ClaimedJob): Promise<void> {
  const ws = job.workspaceId;
  const prepared = await prepareOrEnd(ctx, job, (stores) => prepareSend(stores, job.refId));
  if (!prepared) return;
  const result: SendResult = await uploadThenSend(ctx, deps, prepared);
  try {
    await ctx.db.run({ workspaceId: ws }, async (tx) => {
      const stores = conversationStoresFor(ctx, tx, ws);
      const retry = await recordSendOutcome(stores, prepared, result, job.attempts);
      if (retry) {
        const error = result.ok ? '' : `${result.failure.class} ${result.failure.code}`;
        await retryJob(tx, job.id, new Date(stores.now.getTime() + retry.retryInMs), error);
      } else {
        await completeJob(tx, job.id);
      }
    });
  } catch (err) {
    // Nothing went out: retried (or given up) like any failure.
    if (!result.ok) throw err;
    // Meta has the message: sending it again would duplicate it for the customer.
    ctx.logger.error({ err, jobId: job.id, kind: job.kind }, 'send accepted by Meta but not recorded');
    await settle(ctx, job, 'mark the unrecorded send sent', (stores) =>
      markSentUnrecorded(stores, job.refId),
    );
  }
}

/**
 * A file the team uploaded goes to Meta first (WhatsApp `POST /{phone-number-id}/media`); Meta's
 * media id is kept in the message before the send, so a retry sends with it and uploads nothing.
 * An upload failure is the send's failure, classified and retried the same way.
 */
async function uploadThenSend(ctx: AppContext, deps: JobDeps, prepared: PreparedSend): Promise<SendResult> {
  const ws = prepared.message.workspaceId;
  let content = prepared.message.content;
  if (needsMediaUpload(prepared.message) && prepared.message.media) {
    const mediaId = prepared.message.media.id;
    const file = await ctx.db.run({ workspaceId: ws }, async (tx) => {
      const stores = conversationStoresFor(ctx, tx, ws);
      const media = await stores.media.get(mediaId);
      if (!media?.storageKey) return null;
      const sealed = await deps.storage.get(media.storageKey);
      return {
        bytes: await stores.cipher.decrypt(sealed, MEDIA_BYTES_CONTEXT),
        mimeType: media.mimeType ?? 'application/octet-stream',
      };
    });
    if (!file) {
      return {
        ok: false,
        failure: { class: 'invalid_request', code: 0, title: 'The uploaded file is gone' },
      };
    }
    const filename = 'media' in content ? content.media.filename : undefined;
    const uploaded = await deps.gateway.uploadMedia(prepared.channel, prepared.credentials, {
      ...file,
      ...(filename ? { filename } : {}),
    });
    if (!uploaded.ok) return uploaded;
    content = await ctx.db.run({ workspaceId: ws }, (tx) =>
      recordUploadedMedia(conversationStoresFor(ctx, tx, ws), prepared.message, uploaded.providerMediaId),
    );
  }
  return deps.gateway.send(prepared.channel, prepared.credentials, prepared.toExternalId, content, {
    callbackData: prepared.message.id,
    humanAgentTag: prepared.message.humanAgent,
    ...(prepared.replyToProviderMessageId
      ? { replyToProviderMessageId: prepared.replyToProviderMessageId }
      : {}),
  });
}

/** Downloads a received media file through the Graph API and stores it encrypted. */
async function runMediaFetch(ctx: AppContext, deps: JobDeps, job: ClaimedJob): Promise<void> {
  const ws = job.workspaceId;
  const target = await ctx.db.run({ workspaceId: ws }, async (tx) => {
    const stores = conversationStoresFor(ctx, tx, ws);
    const media = await stores.media.get(job.refId);
    const message = media ? await stores.messages.get(media.messageId) : null;
    const channel = message ? await stores.channels.get(message.channelId) : null;
    if (!media || media.status === 'stored' || !message || !channel || !('media' in message.content)) {
      await completeJob(tx, job.id);
      return null;
    }
    return {
      media,
      message,
      channel,
      mediaRef: message.content.media,
      credentials: await stores.channels.credentials(channel.id),
    };
  });
  if (!target) return;
  let fetched: { bytes: Buffer; mimeType: string };
  try {
    fetched = await deps.gateway.fetchMedia(target.channel, target.credentials, target.mediaRef);
  } catch (err) {
    const retryable = isChannelError(err) && ['retryable', 'rate_limited'].includes(err.failure.class);
    const reason = isChannelError(err)
      ? `${err.failure.class} ${err.failure.code}: ${err.failure.title}`
      : 'download failed';
    await ctx.db.run({ workspaceId: ws }, async (tx) => {
      const stores = conversationStoresFor(ctx, tx, ws);
      if (retryable && job.attempts < MEDIA_ATTEMPTS) {
        await retryJob(tx, job.id, new Date(stores.now.getTime() + 2000 * 2 ** job.attempts), reason);
        return;
      }
      await markMediaFailed(
        stores,
        target.media.id,
        target.message.conversationId,
        target.message.id,
        reason,
      );
      await completeJob(tx, job.id);
    });
    return;
  }
  const storageKey = `${ws}/${target.media.id}`;
  await ctx.db.run({ workspaceId: ws }, async (tx) => {
    const stores = conversationStoresFor(ctx, tx, ws);
    const sealed = await stores.cipher.encrypt(fetched.bytes, MEDIA_BYTES_CONTEXT);
    await deps.storage.put(storageKey, sealed);
    await stores.media.markStored(target.media.id, {
      mimeType: fetched.mimeType,
      sizeBytes: fetched.bytes.length,
      sha256: createHash('sha256').update(fetched.bytes).digest('hex'),
      storageKey,
    });
    await stores.realtime.append({
      type: 'message.updated',
      conversationId: target.message.conversationId,
      messageId: target.message.id,
      data: { media: 'stored' },
    });
    await completeJob(tx, job.id);
  });
}

async function markMediaFailed(
  stores: ConversationStores,
  mediaId: string,
  conversationId: string,
  messageId: string,
  reason: string,
): Promise<void> {
  await stores.media.markFailed(mediaId, reason);
  await stores.realtime.append({
    type: 'message.updated',
    conversationId,
    messageId,
    data: { media: 'failed' },
  });
}

/** Tells the customer their message was read (WhatsApp blue ticks, Messenger "seen"). */
async function runReadReceipt(ctx: AppContext, deps: JobDeps, job: ClaimedJob): Promise<void> {
  const ws = job.workspaceId;
  const target = await ctx.db.run({ workspaceId: ws }, async (tx) => {
    const stores = conversationStoresFor(ctx, tx, ws);
    const message = await stores.messages.get(job.refId);
    const conversation = message ? await stores.conversations.get(message.conversationId) : null;
    const channel = message ? await stores.channels.get(message.channelId) : null;
    const identity = conversation
      ? (await stores.contacts.identities(conversation.contactId)).find((i) => i.channelId === channel?.id)
      : undefined;
    if (!message?.providerMessageId || !channel || channel.status !== 'active' || !identity) {
      await completeJob(tx, job.id);
      return null;
    }
    return {
      channel,
      credentials: await stores.channels.credentials(channel.id),
      providerMessageId: message.providerMessageId,
      customerExternalId: identity.externalId,
    };
  });
  if (!target) return;
  const result = await deps.gateway.markRead(target.channel, target.credentials, target);
  await ctx.db.run({ workspaceId: ws }, async (tx) => {
    const failed = !result.ok && ['retryable', 'rate_limited'].includes(result.failure.class);
    if (failed && job.attempts < READ_RECEIPT_ATTEMPTS) {
      await retryJob(tx, job.id, new Date(ctx.clock.now().getTime() + 5000), 'read receipt failed');
    } else {
      await completeJob(tx, job.id);
    }
  });
}

/**
 * Looks up the name of a new Messenger / Instagram contact (Meta's User Profile API) and gives it
 * to the contact if it still has none. The call happens between two transactions, like a send.
 * Meta's 5xx and throttling are retried with backoff; a refusal (no consent, the person's privacy,
 * a revoked token) ends the job quietly: the contact keeps no name. Only the failure's class and
 * code are logged — never the token, the person's id or a name.
 */
async function runProfileFetch(ctx: AppContext, deps: JobDeps, job: ClaimedJob): Promise<void> {
  const ws = job.workspaceId;
  const target = await prepareOrEnd(ctx, job, (stores) => prepareProfileFetch(stores, job.refId));
  if (!target) return;
  const result = await deps.gateway.fetchProfile(
    target.channel,
    target.credentials,
    target.identity.externalId,
  );
  await ctx.db.run({ workspaceId: ws }, async (tx) => {
    const stores = conversationStoresFor(ctx, tx, ws);
    if (result.ok) {
      await applyContactProfile(stores, target.identity.id, result.profile);
      await completeJob(tx, job.id);
      return;
    }
    const { failure } = result;
    if (RETRY_CLASSES.has(failure.class) && job.attempts < PROFILE_ATTEMPTS) {
      const waitMs = failure.retryAfterMs ?? failedJobBackoffMs(job.attempts);
      await retryJob(tx, job.id, new Date(stores.now.getTime() + waitMs), `${failure.class} ${failure.code}`);
      return;
    }
    ctx.logger.info(
      { jobId: job.id, kind: job.kind, attempts: job.attempts, class: failure.class, code: failure.code },
      'contact profile not available',
    );
    await completeJob(tx, job.id);
  });
}

/** Claims due jobs (system scope) and runs each in its workspace's scope. Returns how many ran. */
export async function runJobBatch(ctx: AppContext, deps: JobDeps, limit: number): Promise<number> {
  const jobs = await ctx.db.run({ system: true }, (tx) =>
    claimJobs(tx, {
      kinds: ['message.send', 'media.fetch', 'message.read_receipt', 'contact.profile'],
      now: ctx.clock.now(),
      limit,
      leaseMs: LEASE_MS,
    }),
  );
  const run = async (job: ClaimedJob) => {
    try {
      // Claimed once too often: its worker died with it every time (or its failure could not be
      // recorded). It is not run again.
      if (job.attempts > JOB_ATTEMPTS[job.kind]) {
        await giveUp(ctx, job, 'attempts exhausted without an outcome');
        return;
      }
      if (job.kind === 'message.send') await runSend(ctx, deps, job);
      else if (job.kind === 'media.fetch') await runMediaFetch(ctx, deps, job);
      else if (job.kind === 'contact.profile') await runProfileFetch(ctx, deps, job);
      else await runReadReceipt(ctx, deps, job);
    } catch (err) {
      await recordJobFailure(ctx, job, err);
    }
  };
  // One lane per kind: sends go out in the order they were queued; a slow download never holds them up.
  const lanes = new Map<string, ClaimedJob[]>();
  for (const job of jobs) lanes.set(job.kind, [...(lanes.get(job.kind) ?? []), job]);
  await Promise.all(
    [...lanes.values()].map(async (lane) => {
      for (const job of lane) await run(job);
    }),
  );
  return jobs.length;
}

/**
 * Settles a job whose run threw something unexpected (a database error, a bug — a classified
 * failure of Meta's never gets here): tried again after a backoff while attempts remain, else
 * given up. The stored text is `failureText`'s (no NUL, no query parameters, no message text), so
 * recording the failure cannot fail the way the failure did. Never throws: if even this cannot be
 * written, the job's lease runs out, it is claimed again, and the attempt counts.
 */
async function recordJobFailure(ctx: AppContext, job: ClaimedJob, err: unknown): Promise<void> {
  const error = failureText(err);
  ctx.logger.error({ err, jobId: job.id, kind: job.kind, attempt: job.attempts }, 'job failed');
  if (job.attempts >= JOB_ATTEMPTS[job.kind]) {
    await giveUp(ctx, job, error);
    return;
  }
  try {
    await ctx.db.run({ workspaceId: job.workspaceId }, (tx) =>
      retryJob(tx, job.id, new Date(ctx.clock.now().getTime() + failedJobBackoffMs(job.attempts)), error),
    );
  } catch (recordErr) {
    ctx.logger.error(
      { err: recordErr, jobId: job.id },
      'job failure not recorded; tried again after its lease',
    );
  }
}

/**
 * The job's attempts ran out: what it was for is marked failed where someone would otherwise wait
 * for it forever (a send → the message `failed`, an `internal` error the agent sees; a download →
 * the media `failed`), and the job is deleted. A read receipt or a profile lookup is just dropped
 * (the contact keeps no name).
 */
async function giveUp(ctx: AppContext, job: ClaimedJob, error: string): Promise<void> {
  ctx.logger.error({ jobId: job.id, kind: job.kind, attempts: job.attempts, error }, 'job given up');
  await settle(ctx, job, 'mark what the job was for failed', async (stores) => {
    if (job.kind === 'message.send') {
      await abandonSend(stores, job.refId);
    } else if (job.kind === 'media.fetch') {
      const media = await stores.media.get(job.refId);
      const message = media && media.status === 'pending' ? await stores.messages.get(media.messageId) : null;
      if (media && message) {
        await markMediaFailed(stores, media.id, message.conversationId, message.id, 'download failed');
      }
    }
  });
}

/**
 * Ends a job after `finish` (in one transaction with the job's deletion). If `finish` throws —
 * the row it updates may be what keeps failing — the job is deleted on its own: it never stays
 * behind to be claimed again. Never throws.
 */
async function settle(
  ctx: AppContext,
  job: ClaimedJob,
  what: string,
  finish: (stores: ConversationStores) => Promise<unknown>,
): Promise<void> {
  const ws = job.workspaceId;
  try {
    await ctx.db.run({ workspaceId: ws }, async (tx) => {
      await finish(conversationStoresFor(ctx, tx, ws));
      await completeJob(tx, job.id);
    });
    return;
  } catch (err) {
    ctx.logger.error({ err, jobId: job.id, kind: job.kind }, `job ended without being able to ${what}`);
  }
  try {
    await ctx.db.run({ workspaceId: ws }, (tx) => completeJob(tx, job.id));
  } catch (err) {
    ctx.logger.error({ err, jobId: job.id }, 'job could not be ended; tried again after its lease');
  }
}
