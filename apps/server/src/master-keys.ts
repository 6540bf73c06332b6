import fs from 'node:fs';
import path from 'node:path';
import { generateMasterKey, masterKeyFromBase64, masterKeyToBase64, type MasterKey } from '@parley/core';
import type { Config } from '@parley/config';

export const MASTER_KEY_FILE = 'master-keys';

/**
 * The master keys, current first. From PARLEY_MASTER_KEY (+ PARLEY_PREVIOUS_MASTER_KEYS) when
 * set; otherwise, for the embedded engine, from `<data dir>/master-keys` (one base64 key a line,
 * current first), generated on first start with mode 0600.
 */
export function loadMasterKeys(config: Config): MasterKey[] {
  if (config.masterKey) {
    return [config.masterKey, ...config.previousMasterKeys].map(masterKeyFromBase64);
  }
  if (config.database.engine !== 'pglite') {
    throw new Error('PARLEY_MASTER_KEY is required with DATABASE_URL');
  }
  const file = path.join(config.dataDir, MASTER_KEY_FILE);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(config.dataDir, { recursive: true });
    fs.writeFileSync(file, `${masterKeyToBase64(generateMasterKey())}\n`, { mode: 0o600 });
  }
  return readKeyFile(file);
}

export function readKeyFile(file: string): MasterKey[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map(masterKeyFromBase64);
}

export function writeKeyFile(file: string, keys: MasterKey[]): void {
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, keys.map((k) => `${masterKeyToBase64(k)}\n`).join(''), { mode: 0o600 });
  fs.renameSync(tmp, file);
}
