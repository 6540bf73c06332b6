import type { SimApp, SimPage, SimWaba } from '../state/model.ts';
import type { SimStore } from '../state/store.ts';
import type { ResolvedTarget, WebhookTarget } from './webhook-sender.ts';

/** The app's callback (or the WABA's override callback, signed with the app's secret). */
export function appTarget(store: SimStore, appId: string, waba?: SimWaba): WebhookTarget {
  return {
    key: waba?.overrideCallback ? `waba:${waba.id}` : `app:${appId}`,
    appId,
    resolve(): ResolvedTarget | null {
      const app = store.apps.get(appId);
      if (!app) return null;
      const override = waba?.overrideCallback;
      if (override) {
        return {
          url: override.url,
          secret: app.secret,
          verifyToken: override.verifyToken,
          isVerified: () => override.verified,
          markVerified: (ok) => {
            override.verified = ok;
          },
        };
      }
      return appCallback(app);
    },
  };
}

export function appCallback(app: SimApp): ResolvedTarget | null {
  if (!app.callbackUrl) return null;
  return {
    url: app.callbackUrl,
    secret: app.secret,
    verifyToken: app.verifyToken ?? '',
    isVerified: () => app.verified,
    markVerified: (ok) => {
      app.verified = ok;
    },
  };
}

/** Apps that receive a WABA's webhooks. */
export function wabaTargets(store: SimStore, waba: SimWaba): WebhookTarget[] {
  return [...waba.subscribedApps].map((appId) => appTarget(store, appId, waba));
}

/** Apps installed on a page for a field (or every app when subscriptions are not enforced). */
export function pageTargets(
  store: SimStore,
  page: SimPage,
  field: string,
  enforce: boolean,
): WebhookTarget[] {
  const targets: WebhookTarget[] = [];
  if (!enforce) {
    for (const app of store.apps.values()) targets.push(appTarget(store, app.id));
    return targets;
  }
  for (const [appId, fields] of page.subscribedApps) {
    if (fields.includes(field)) targets.push(appTarget(store, appId));
  }
  return targets;
}

/** An unsigned POST to a fixed URL (Google Ads lead forms). */
export function urlTarget(url: string): WebhookTarget {
  return {
    key: `url:${url}`,
    appId: null,
    resolve: () => ({
      url,
      secret: null,
      verifyToken: null,
      isVerified: () => true,
      markVerified: () => undefined,
    }),
  };
}
