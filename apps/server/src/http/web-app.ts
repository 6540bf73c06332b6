import fs from 'node:fs/promises';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { sendError } from './error-handler.ts';

/** Where `npm run build:web` (vite build of apps/web) writes the web app. */
export const DEFAULT_WEB_DIST = path.resolve(import.meta.dirname, '../../../web/dist');

/** Paths that belong to the API and the system routes: an unknown one is a JSON 404, never the app. */
const RESERVED = /^\/(api|webhooks|healthz|metrics)(\/|$)/;

/**
 * The page may load only its own scripts, styles and images (QR codes are drawn as SVG elements);
 * it may not be framed. User and customer text is rendered as text by React, and this is the net.
 */
function contentSecurityPolicy(scriptOrigins: string[], frameOrigins: string[]): string {
  return [
    "default-src 'self'",
    ["script-src 'self'", ...scriptOrigins].join(' '),
    // Meta's SDK talks to its login dialog's origin through frames it adds (Embedded Signup). The
    // dialog itself is a popup window, which frame-src does not govern.
    ...(frameOrigins.length > 0 ? [['frame-src', ...frameOrigins].join(' ')] : []),
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function setPageHeaders(reply: FastifyReply, csp: string): void {
  reply.header('content-security-policy', csp);
  reply.header('x-frame-options', 'DENY');
  reply.header('x-content-type-options', 'nosniff');
  reply.header('referrer-policy', 'no-referrer');
  reply.header('cache-control', 'no-cache');
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await fs.stat(file)).isFile();
  } catch {
    return false;
  }
}

/**
 * Serves the built web app (apps/web/dist) at `/`: its files as they are, and `index.html` for any
 * other path (the app routes in the browser), so a deep link such as /settings/members works on
 * reload. Registered after the API: `/api/*`, `/webhooks/*`, `/healthz` and `/metrics` keep their
 * JSON 404s, and so does a missing file (a path with an extension).
 */
export function webApp(
  opts: {
    distDir?: string;
    /** Origins the page may load scripts from besides its own: Meta's JS SDK for Embedded Signup. */
    scriptOrigins?: string[];
    /** Origins the page may frame: Meta's helper frames for Embedded Signup. */
    frameOrigins?: string[];
  } = {},
): FastifyPluginAsync {
  const root = opts.distDir ?? DEFAULT_WEB_DIST;
  const csp = contentSecurityPolicy(opts.scriptOrigins ?? [], opts.frameOrigins ?? []);
  return async (app) => {
    await app.register(fastifyStatic, { root, serve: false, decorateReply: true });

    const notFound = (reply: FastifyReply) => {
      reply.callNotFound();
      return reply;
    };

    app.get(
      '/*',
      { schema: { hide: true }, config: { auth: 'public' } },
      async (req, reply): Promise<FastifyReply> => {
        const urlPath = req.url.split('?')[0] ?? '/';
        if (RESERVED.test(urlPath)) return notFound(reply);
        const wanted = (req.params as { '*'?: string })['*'] ?? '';
        const relative = path.posix.normalize(`/${wanted}`).slice(1);
        if (relative.split('/').includes('..') || relative.includes('\0')) return notFound(reply);

        if (relative !== '' && (await isFile(path.join(root, relative)))) {
          // Vite names files under assets/ by their content hash: they never change.
          const immutable = relative.startsWith('assets/');
          if (relative.endsWith('.html')) setPageHeaders(reply, csp);
          reply.header('x-content-type-options', 'nosniff');
          reply.header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
          return reply.sendFile(relative, { cacheControl: false });
        }
        // A file that is not there (an old asset, a typo) is a 404, not the app's HTML.
        if (path.posix.extname(relative) !== '') return notFound(reply);

        if (!(await isFile(path.join(root, 'index.html')))) {
          return sendError(
            reply,
            'route_not_found',
            'The web app is not built: run `npm run build:web` (npm start does it for you).',
          );
        }
        setPageHeaders(reply, csp);
        return reply.sendFile('index.html', { cacheControl: false });
      },
    );
  };
}
