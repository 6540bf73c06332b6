import type { FastifyInstance } from 'fastify';
import { DomainError } from '@parley/core';

/** Where in a parsed JSON value a string holds U+0000, or null. Only plain objects and arrays are walked. */
export function findNulCharacter(value: unknown, path: string): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) {
      const found = findNulCharacter(v, `${path}/${i}`);
      if (found) return found;
    }
    return null;
  }
  if (value !== null && typeof value === 'object') {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return null; // e.g. a raw Buffer body
    for (const [k, v] of Object.entries(value)) {
      const found = findNulCharacter(k, `${path}/${k}`) ?? findNulCharacter(v, `${path}/${k}`);
      if (found) return found;
    }
  }
  return null;
}

/**
 * PostgreSQL text cannot hold U+0000: a JSON body carrying it is refused at the edge with a 400
 * naming the field, instead of failing in the database as a 500.
 */
export function installTextGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (req) => {
    const path = findNulCharacter(req.body, 'body');
    if (path) {
      throw new DomainError('validation_failed', 'Text must not contain the NUL character (U+0000).', {
        fields: [{ path, problem: 'must not contain U+0000' }],
      });
    }
  });
}
