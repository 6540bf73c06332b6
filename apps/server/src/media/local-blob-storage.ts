import fs from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { BlobStorage } from '@parley/core';

/** `<workspace>/<media id>`, or `<workspace>/<upload id>.meta` (an upload's sealed description). */
const KEY_PATTERN = /^[0-9a-f-]{36}\/[0-9a-f-]{36}(\.meta)?$/;

/**
 * Media bytes on local disk (already encrypted by the caller): `<dir>/<workspace>/<media id>`.
 * Writes go to a temporary file first and are renamed into place, so a crash never leaves half a file.
 */
export function localBlobStorage(dir: string): BlobStorage {
  const fileOf = (key: string) => {
    if (!KEY_PATTERN.test(key)) throw new Error('invalid storage key');
    return path.join(dir, key);
  };
  return {
    async put(key, bytes) {
      const file = fileOf(key);
      await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
      const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
      await fs.writeFile(tmp, bytes, { mode: 0o600 });
      await fs.rename(tmp, file);
    },
    get: (key) => fs.readFile(fileOf(key)),
    async delete(key) {
      await fs.rm(fileOf(key), { force: true });
    },
  };
}
