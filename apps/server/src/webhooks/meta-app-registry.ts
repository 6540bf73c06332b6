import { safeEqual, wrappedKeyMasterId, type Clock, type Keyring } from '@parley/core';
import { dataKeyRepository, loadMetaApps, metaAppRepository, type Database, type Tx } from '@parley/db';
import { verifyMetaSignature } from '@parley/channels';

interface KnownApp {
  appId: string;
  secret: string;
  verifyToken: string;
}

const RELOAD_AFTER_MS = 10_000;
const MISS_RELOAD_AFTER_MS = 1_000;

/**
 * The Meta apps whose webhooks this install accepts, cached from `meta_apps` (decrypted with the
 * platform key). A signature that matches no cached secret triggers one reload (an app connected
 * through another process), at most once a second, so forged requests cannot hammer the database.
 */
export class MetaAppRegistry {
  private apps: KnownApp[] = [];
  private loadedAt = Number.NEGATIVE_INFINITY;
  private loading: Promise<void> | null = null;

  constructor(
    private readonly db: Database,
    private readonly keyring: Keyring,
    private readonly clock: Clock,
  ) {}

  /** Registers the install's own app (from configuration); its secret there wins over the stored one. */
  async registerConfigured(app: { id: string; secret: string; verifyToken: string }): Promise<void> {
    await this.db.run({ system: true }, (tx) =>
      metaAppRepository(tx, this.platformCipher(tx), { system: true }).register(
        { appId: app.id, secret: app.secret, verifyToken: app.verifyToken },
        { replace: true },
      ),
    );
    this.loadedAt = Number.NEGATIVE_INFINITY;
  }

  /** The app whose secret signed these exact bytes, or null (fail closed: no apps, no match). */
  async verify(rawBody: Buffer, signatureHeader: string | undefined): Promise<string | null> {
    if (!signatureHeader) return null;
    const match = async () => {
      await this.fresh(RELOAD_AFTER_MS);
      return this.apps.find((a) => verifyMetaSignature(rawBody, signatureHeader, a.secret))?.appId ?? null;
    };
    const found = await match();
    if (found) return found;
    await this.fresh(MISS_RELOAD_AFTER_MS, true);
    return this.apps.find((a) => verifyMetaSignature(rawBody, signatureHeader, a.secret))?.appId ?? null;
  }

  /** Whether a `hub.verify_token` belongs to a known app (the GET handshake). */
  async knowsVerifyToken(token: string): Promise<boolean> {
    await this.fresh(MISS_RELOAD_AFTER_MS, true);
    let ok = false;
    for (const app of this.apps) ok = safeEqual(token, app.verifyToken) || ok;
    return ok;
  }

  private platformCipher(tx: Tx) {
    return this.keyring.fieldCipher(dataKeyRepository(tx, wrappedKeyMasterId), null);
  }

  private async fresh(maxAgeMs: number, force = false): Promise<void> {
    const age = this.clockMs() - this.loadedAt;
    if (age < (force ? MISS_RELOAD_AFTER_MS : maxAgeMs)) return;
    this.loading ??= this.db
      .run({ system: true }, (tx) => loadMetaApps(tx, this.platformCipher(tx)))
      .then((apps) => {
        this.apps = apps;
        this.loadedAt = this.clockMs();
      })
      .finally(() => {
        this.loading = null;
      });
    await this.loading;
  }

  private clockMs(): number {
    return performance.now();
  }
}
