import assert from 'node:assert/strict';
import type { Response } from './http-client.ts';

/** The response is the error envelope with this status and stable code. */
export function assertError(res: Response, status: number, code: string): void {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.equal(res.body.error.code, code, JSON.stringify(res.body));
}
