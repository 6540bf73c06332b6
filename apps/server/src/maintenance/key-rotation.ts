import { wrappedKeyMasterId, type Keyring } from '@parley/core';
import { dataKeyRepository, type Database } from '@parley/db';
import { allWorkspaceIds } from './audit-verification.ts';

/**
 * Re-wraps every data key (platform and each workspace) under the keyring's current master key.
 * Safe to run again: keys already under the current master are left alone.
 */
export async function rewrapAllDataKeys(
  db: Database,
  keyring: Keyring,
): Promise<{ scopes: number; rewrapped: number }> {
  let rewrapped = 0;
  const scopes = [null, ...(await allWorkspaceIds(db))];
  for (const workspaceId of scopes) {
    rewrapped += await db.run({ workspaceId }, (tx) =>
      keyring.rewrapAll(dataKeyRepository(tx, wrappedKeyMasterId), workspaceId),
    );
  }
  return { scopes: scopes.length, rewrapped };
}
