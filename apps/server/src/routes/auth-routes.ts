import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import {
  beginTotpEnrollment,
  changePassword,
  completeTwoFactorSignIn,
  confirmPasswordReset,
  confirmTotpEnrollment,
  csrfTokenFor,
  disableTotp,
  DomainError,
  hashSessionToken,
  enforceAuthRateLimit,
  newId,
  regenerateRecoveryCodes,
  requestPasswordReset,
  sha256Hex,
  signInWithPassword,
  signUpOwner,
  startSession,
} from '@parley/core';
import { rateLimitRepository } from '@parley/db';
import { storesFor, type AppContext } from '../app-context.ts';
import {
  clearSessionCookie,
  clientInfo,
  sessionToken,
  setSessionCookie,
  withUser,
} from '../http/request-auth.ts';
import {
  Email,
  errorResponses,
  MembershipView,
  NoContent,
  Password,
  SessionView,
  strict,
  UserView,
  Uuid,
} from '../http/schemas.ts';
import { sessionView, userView } from '../http/views.ts';

const SignedIn = Type.Object({
  status: Type.Literal('signed_in'),
  user: UserView,
  workspaces: Type.Array(MembershipView),
  csrfToken: Type.String(),
});
const SignInResponse = Type.Union([
  SignedIn,
  Type.Object({ status: Type.Literal('two_factor_required'), csrfToken: Type.String() }),
]);

export function authRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    const tags = ['auth'];

    /** Counts the attempt in its own transaction so it sticks even when the attempt fails. */
    const limit = (keys: string[]) =>
      ctx.db.run({}, (tx) =>
        enforceAuthRateLimit(rateLimitRepository(tx), keys, ctx.policy, ctx.clock.now()),
      );
    const ipKey = (kind: string, req: FastifyRequest) => `${kind}:ip:${req.ip}`;
    const accountKey = (kind: string, id: string) => `${kind}:account:${sha256Hex(id.trim().toLowerCase())}`;

    /** 2FA attempts count per IP and per account (never inside another transaction: PGlite has one connection). */
    const limit2fa = async (req: FastifyRequest, opts: { allowMfaPending?: boolean } = {}) => {
      const userId = await withUser(ctx, req, async ({ user }) => user.id, opts);
      await limit([ipKey('2fa', req), accountKey('2fa', userId)]);
    };

    const signedIn = async (userId: string, token: string) =>
      ctx.db.run({ userId }, async (tx) => {
        const stores = storesFor(ctx, tx);
        const user = await stores.identity.findUserById(userId);
        if (!user) throw new Error('user vanished during sign-in');
        return {
          status: 'signed_in' as const,
          user: userView(user),
          workspaces: await stores.workspaces.listMembershipsOfUser(userId),
          csrfToken: csrfTokenFor(token),
        };
      });

    app.post(
      '/signup',
      {
        config: { auth: 'public' },
        schema: {
          tags,
          summary:
            'Create an account and its first workspace (first user of the install, or when sign-up is open)',
          body: Type.Object(
            {
              email: Email,
              password: Password,
              name: Type.String({ maxLength: 200 }),
              workspaceName: Type.String({ minLength: 1, maxLength: 200 }),
            },
            strict,
          ),
          response: { 201: SignedIn, ...errorResponses },
        },
      },
      async (req, reply) => {
        await limit([ipKey('signup', req)]);
        const ids = { userId: newId(), workspaceId: newId() };
        const session = await ctx.db.run({ workspaceId: ids.workspaceId, userId: ids.userId }, async (tx) => {
          const stores = storesFor(ctx, tx);
          await signUpOwner(
            { ...stores, signupMode: ctx.config.signup },
            { ...ids, ...req.body, ip: req.ip },
          );
          return startSession(stores, ids.userId, clientInfo(req), { mfaPending: false });
        });
        setSessionCookie(ctx, reply, session.token, ctx.policy.sessionAbsoluteMs);
        return reply.status(201).send(await signedIn(ids.userId, session.token));
      },
    );

    app.post(
      '/login',
      {
        config: { auth: 'public' },
        schema: {
          tags,
          summary: 'Sign in with email and password; a user with 2FA then completes /auth/login/2fa',
          body: Type.Object({ email: Email, password: Password }, strict),
          response: { 200: SignInResponse, ...errorResponses },
        },
      },
      async (req, reply) => {
        await limit([ipKey('login', req), accountKey('login', req.body.email)]);
        const previous = sessionToken(req);
        const result = await ctx.db.run({}, async (tx) => {
          const stores = storesFor(ctx, tx);
          // Sessions rotate at sign-in: whatever session this browser had is ended.
          if (previous) {
            const old = await stores.identity.findSessionByTokenHash(hashSessionToken(previous));
            if (old) await stores.identity.revokeSession(old.id, 'rotated', stores.now);
          }
          return signInWithPassword(stores, { ...req.body, client: clientInfo(req) });
        });
        if (result.status === 'two_factor_required') {
          setSessionCookie(ctx, reply, result.token, ctx.policy.mfaPendingMs);
          return { status: result.status, csrfToken: csrfTokenFor(result.token) };
        }
        await ctx.db.run({}, (tx) => rateLimitRepository(tx).reset(accountKey('login', req.body.email)));
        setSessionCookie(ctx, reply, result.token, ctx.policy.sessionAbsoluteMs);
        return signedIn(result.userId, result.token);
      },
    );

    app.post(
      '/login/2fa',
      {
        config: { auth: 'pending' },
        schema: {
          tags,
          summary: 'Second step of sign-in: a TOTP code or a one-time recovery code',
          body: Type.Object(
            {
              code: Type.Optional(Type.String({ minLength: 6, maxLength: 12 })),
              recoveryCode: Type.Optional(Type.String({ minLength: 8, maxLength: 40 })),
            },
            strict,
          ),
          response: {
            200: Type.Intersect([
              SignedIn,
              Type.Object({ recoveryCodesLeft: Type.Union([Type.Integer(), Type.Null()]) }),
            ]),
            ...errorResponses,
          },
        },
      },
      async (req, reply) => {
        const pendingToken = sessionToken(req);
        await limit2fa(req, { allowMfaPending: true });
        const result = await ctx.db.run({}, (tx) => {
          const stores = storesFor(ctx, tx);
          return completeTwoFactorSignIn(
            { ...stores, platformKeys: stores.dataKeys },
            { pendingToken: pendingToken ?? '', ...req.body, client: clientInfo(req) },
          );
        });
        setSessionCookie(ctx, reply, result.token, ctx.policy.sessionAbsoluteMs);
        const body = await signedIn(result.userId, result.token);
        // A completed sign-in clears the account's login counter, as a password-only sign-in does.
        await ctx.db.run({}, (tx) => rateLimitRepository(tx).reset(accountKey('login', body.user.email)));
        return {
          ...body,
          recoveryCodesLeft: result.recoveryCodesLeft,
        };
      },
    );

    app.post(
      '/logout',
      {
        config: { auth: 'user' },
        schema: { tags, summary: 'End this session', response: { 204: NoContent, ...errorResponses } },
      },
      async (req, reply) => {
        await withUser(
          ctx,
          req,
          async ({ stores, session }) => stores.identity.revokeSession(session.id, 'signed_out', stores.now),
          { allowMfaPending: true },
        );
        clearSessionCookie(ctx, reply);
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/me',
      {
        config: { auth: 'user' },
        schema: {
          tags,
          summary: 'The signed-in user, their workspaces and the CSRF token',
          response: { 200: SignedIn, ...errorResponses },
        },
      },
      async (req) =>
        withUser(ctx, req, async ({ stores, user, token }) => ({
          status: 'signed_in' as const,
          user: userView(user),
          workspaces: await stores.workspaces.listMembershipsOfUser(user.id),
          csrfToken: csrfTokenFor(token),
        })),
    );

    app.get(
      '/sessions',
      {
        config: { auth: 'user' },
        schema: {
          tags,
          summary: 'Active sessions of the signed-in user',
          response: { 200: Type.Object({ items: Type.Array(SessionView) }), ...errorResponses },
        },
      },
      async (req) =>
        withUser(ctx, req, async ({ stores, user, session }) => ({
          items: (await stores.identity.listLiveSessions(user.id, stores.now)).map((s) =>
            sessionView(s, session.id),
          ),
        })),
    );

    app.delete(
      '/sessions/:sessionId',
      {
        config: { auth: 'user' },
        schema: {
          tags,
          summary: 'Sign out one of your sessions (e.g. a lost device)',
          params: Type.Object({ sessionId: Uuid }, strict),
          response: { 204: NoContent, ...errorResponses },
        },
      },
      async (req, reply) => {
        await withUser(ctx, req, async ({ stores, user }) => {
          const live = await stores.identity.listLiveSessions(user.id, stores.now);
          const target = live.find((s) => s.id === req.params.sessionId);
          if (!target) throw new DomainError('not_found', 'Session not found.');
          await stores.identity.revokeSession(target.id, 'revoked_by_user', stores.now);
        });
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/password',
      {
        config: { auth: 'user' },
        schema: {
          tags,
          summary: 'Change password (ends every session; this device gets a new one)',
          body: Type.Object({ currentPassword: Password, newPassword: Password }, strict),
          response: { 200: Type.Object({ csrfToken: Type.String() }), ...errorResponses },
        },
      },
      async (req, reply) => {
        const session = await withUser(ctx, req, ({ stores, user }) =>
          changePassword(stores, { userId: user.id, ...req.body, client: clientInfo(req) }),
        );
        setSessionCookie(ctx, reply, session.token, ctx.policy.sessionAbsoluteMs);
        return { csrfToken: csrfTokenFor(session.token) };
      },
    );

    app.post(
      '/password-reset',
      {
        config: { auth: 'public' },
        schema: {
          tags,
          summary: 'Ask for a password reset link (the same answer whether or not the account exists)',
          body: Type.Object({ email: Email }, strict),
          response: { 202: NoContent, ...errorResponses },
        },
      },
      async (req, reply) => {
        await limit([ipKey('reset', req), accountKey('reset', req.body.email)]);
        const reset = await ctx.db.run({}, (tx) =>
          requestPasswordReset(storesFor(ctx, tx), { email: req.body.email, client: clientInfo(req) }),
        );
        if (reset) {
          // No mail transport is configured yet: the link goes to the server log (never the token hash or password).
          ctx.logger.info(
            { event: 'password_reset_link', userId: reset.userId },
            `Password reset link: ${ctx.config.publicUrl}/reset-password#token=${reset.token}`,
          );
        }
        return reply.status(202).send(null);
      },
    );

    app.post(
      '/password-reset/confirm',
      {
        config: { auth: 'public' },
        schema: {
          tags,
          summary: 'Set a new password with a reset token (ends every session)',
          body: Type.Object(
            { token: Type.String({ minLength: 10, maxLength: 200 }), newPassword: Password },
            strict,
          ),
          response: { 204: NoContent, ...errorResponses },
        },
      },
      async (req, reply) => {
        await limit([ipKey('reset', req)]);
        await ctx.db.run({}, (tx) =>
          confirmPasswordReset(storesFor(ctx, tx), { ...req.body, client: clientInfo(req) }),
        );
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/2fa/setup',
      {
        config: { auth: 'user' },
        schema: {
          tags,
          summary: 'Start TOTP enrolment: returns the secret and an otpauth:// URI for the QR code',
          response: {
            200: Type.Object({ secret: Type.String(), otpauthUri: Type.String() }),
            ...errorResponses,
          },
        },
      },
      async (req) =>
        withUser(ctx, req, ({ stores, user }) =>
          beginTotpEnrollment(
            { ...stores, platformKeys: stores.dataKeys },
            { userId: user.id, issuer: 'Parley' },
          ),
        ),
    );

    app.post(
      '/2fa/enable',
      {
        config: { auth: 'user' },
        schema: {
          tags,
          summary: 'Confirm TOTP enrolment with a code; returns one-time recovery codes (shown once)',
          body: Type.Object({ code: Type.String({ minLength: 6, maxLength: 12 }) }, strict),
          response: {
            200: Type.Object({ recoveryCodes: Type.Array(Type.String()), csrfToken: Type.String() }),
            ...errorResponses,
          },
        },
      },
      async (req, reply) => {
        await limit2fa(req);
        const result = await withUser(ctx, req, async ({ stores, user }) => {
          return confirmTotpEnrollment(
            { ...stores, platformKeys: stores.dataKeys },
            { userId: user.id, code: req.body.code, client: clientInfo(req) },
          );
        });
        setSessionCookie(ctx, reply, result.session.token, ctx.policy.sessionAbsoluteMs);
        return { recoveryCodes: result.recoveryCodes, csrfToken: csrfTokenFor(result.session.token) };
      },
    );

    app.post(
      '/2fa/disable',
      {
        config: { auth: 'user' },
        schema: {
          tags,
          summary: 'Turn TOTP off (password and a current code required; ends every session)',
          body: Type.Object(
            { password: Password, code: Type.String({ minLength: 6, maxLength: 12 }) },
            strict,
          ),
          response: { 200: Type.Object({ csrfToken: Type.String() }), ...errorResponses },
        },
      },
      async (req, reply) => {
        await limit2fa(req);
        const session = await withUser(ctx, req, async ({ stores, user }) => {
          return disableTotp(
            { ...stores, platformKeys: stores.dataKeys },
            { userId: user.id, ...req.body, client: clientInfo(req) },
          );
        });
        setSessionCookie(ctx, reply, session.token, ctx.policy.sessionAbsoluteMs);
        return { csrfToken: csrfTokenFor(session.token) };
      },
    );

    app.post(
      '/2fa/recovery-codes',
      {
        config: { auth: 'user' },
        schema: {
          tags,
          summary: 'Replace the recovery codes (a current TOTP code required)',
          body: Type.Object({ code: Type.String({ minLength: 6, maxLength: 12 }) }, strict),
          response: { 200: Type.Object({ recoveryCodes: Type.Array(Type.String()) }), ...errorResponses },
        },
      },
      async (req) => {
        await limit2fa(req);
        const recoveryCodes = await withUser(ctx, req, async ({ stores, user }) => {
          return regenerateRecoveryCodes(
            { ...stores, platformKeys: stores.dataKeys },
            { userId: user.id, code: req.body.code, client: clientInfo(req) },
          );
        });
        return { recoveryCodes };
      },
    );
  };
}
