import type { FastifyInstance } from 'fastify';
import type { SimContext } from '../context.ts';
import type { SimulatorControl } from '../control/simulator-control.ts';

export function registerPhoneRoutes(
  app: FastifyInstance,
  _ctx: SimContext,
  _control: SimulatorControl,
): void {
  app.get('/phone', async (_req, reply) =>
    reply.type('text/html').send('<!doctype html><title>phone</title>'),
  );
}
