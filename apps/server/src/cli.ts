// `npm run parley -- <command>`: maintenance commands that run against the configured database.
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig, type Config } from '@parley/config';
import { generateMasterKey, Keyring, masterKeyToBase64 } from '@parley/core';
import { openDatabase, DataDirLockedError } from '@parley/db';
import { databaseTarget } from './bootstrap.ts';
import { verifyAllAuditChains } from './maintenance/audit-verification.ts';
import { rewrapAllDataKeys } from './maintenance/key-rotation.ts';
import { loadMasterKeys, MASTER_KEY_FILE, readKeyFile, writeKeyFile } from './master-keys.ts';

const USAGE = `Usage: npm run parley -- <command>

  migrate              apply pending database migrations (safe with several processes: advisory lock)
  audit verify         check every audit log hash chain; exit code 1 if any was altered
  keys generate        print a new random master key (base64) for PARLEY_MASTER_KEY
  keys rotate          embedded install: make a new master key and re-wrap every data key under it
  keys rewrap          re-wrap every data key under the current master key
                       (server install: set PARLEY_MASTER_KEY=<new>, PARLEY_PREVIOUS_MASTER_KEYS=<old>, run this,
                        then remove the old key)
`;

function out(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function withDb<T>(
  config: Config,
  fn: (db: Awaited<ReturnType<typeof openDatabase>>) => Promise<T>,
): Promise<T> {
  const db = await openDatabase(databaseTarget(config));
  try {
    await db.migrate();
    return await fn(db);
  } finally {
    await db.close();
  }
}

export async function runCli(
  args: string[],
  env: Record<string, string | undefined> = process.env,
): Promise<number> {
  const [command, sub] = args;
  if (command === 'keys' && sub === 'generate') {
    out(masterKeyToBase64(generateMasterKey()));
    return 0;
  }
  if (!command || command === 'help' || command === '--help') {
    out(USAGE);
    return command ? 0 : 2;
  }
  const config = loadConfig(env);

  if (command === 'migrate') {
    await withDb(config, async () => undefined);
    out('migrations applied');
    return 0;
  }

  if (command === 'audit' && sub === 'verify') {
    const reports = await withDb(config, (db) => verifyAllAuditChains(db));
    let failed = 0;
    for (const { workspaceId, result } of reports) {
      const chain = workspaceId ?? 'platform';
      if (result.ok) out(`ok      ${chain}: ${result.count} entries`);
      else {
        failed++;
        out(`BROKEN  ${chain}: entry ${result.seq} (${result.reason})`);
      }
    }
    out(failed === 0 ? `audit log intact (${reports.length} chains)` : `${failed} chain(s) altered`);
    return failed === 0 ? 0 : 1;
  }

  if (command === 'keys' && sub === 'rewrap') {
    const keyring = new Keyring(loadMasterKeys(config));
    const r = await withDb(config, (db) => rewrapAllDataKeys(db, keyring));
    out(
      `re-wrapped ${r.rewrapped} data keys in ${r.scopes} scopes under master key ${keyring.currentMasterId()}`,
    );
    return 0;
  }

  if (command === 'keys' && sub === 'rotate') {
    if (config.masterKey) {
      process.stderr.write(
        'The master key comes from PARLEY_MASTER_KEY. To rotate: set PARLEY_MASTER_KEY to a new key ' +
          '(`keys generate`), PARLEY_PREVIOUS_MASTER_KEYS to the old one, run `keys rewrap`, then drop the old key.\n',
      );
      return 2;
    }
    const file = path.join(config.dataDir, MASTER_KEY_FILE);
    const old = fs.existsSync(file) ? readKeyFile(file) : loadMasterKeys(config);
    const fresh = generateMasterKey();
    // Keep the old keys until every data key is re-wrapped, so a crash midway loses nothing.
    writeKeyFile(file, [fresh, ...old]);
    const keyring = new Keyring([fresh, ...old]);
    const r = await withDb(config, (db) => rewrapAllDataKeys(db, keyring));
    writeKeyFile(file, [fresh]);
    out(
      `new master key ${keyring.currentMasterId()}; re-wrapped ${r.rewrapped} data keys in ${r.scopes} scopes`,
    );
    return 0;
  }

  process.stderr.write(`Unknown command: ${args.join(' ')}\n\n${USAGE}`);
  return 2;
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename);
if (isMain) {
  try {
    process.exitCode = await runCli(process.argv.slice(2));
  } catch (e) {
    if (e instanceof ConfigError || e instanceof DataDirLockedError) {
      process.stderr.write(`${e.message}\n`);
      process.exitCode = 1;
    } else throw e;
  }
}
