import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { SimContext } from '../context.ts';
import type { SimulatorControl } from '../control/simulator-control.ts';
import { GraphError } from '../graph/graph-error.ts';

const asset = (name: string): string => readFileSync(new URL(`./assets/${name}`, import.meta.url), 'utf8');

/**
 * The customer phone: a server-rendered shell and a small vanilla JS/CSS bundle that drive the
 * control API. No external resources (works offline).
 */
export function registerPhoneRoutes(app: FastifyInstance, ctx: SimContext, _control: SimulatorControl): void {
  const files: Record<string, { type: string; body: string }> = {
    'phone.css': { type: 'text/css; charset=utf-8', body: asset('phone.css') },
    'phone.js': { type: 'text/javascript; charset=utf-8', body: asset('phone.js') },
  };
  const html = asset('phone.html');
  const security =
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; connect-src 'self'";

  app.get('/', async (_req, reply) => reply.redirect('/phone'));
  app.get('/phone', async (_req, reply) =>
    reply.type('text/html; charset=utf-8').header('content-security-policy', security).send(html),
  );
  app.get('/phone/assets/:name', async (req: FastifyRequest<{ Params: { name: string } }>, reply) => {
    const file = files[req.params.name];
    if (!file) return reply.code(404).send({ error: { message: 'not found' } });
    return reply.type(file.type).header('cache-control', 'no-cache').send(file.body);
  });
  // Media for the phone's own display (the customer sees business media without a token).
  app.get('/phone/media/:id', async (req: FastifyRequest<{ Params: { id: string } }>, reply) => {
    const media = ctx.store.media.get(req.params.id) ?? ctx.store.attachments.get(req.params.id);
    if (!media) throw new GraphError(404, 100, 'Media not found');
    return reply.type(media.mimeType).send(media.data);
  });
}
