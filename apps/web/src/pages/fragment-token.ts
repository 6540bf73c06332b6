import { useEffect, useState } from 'react';

/**
 * Reads a secret token from the URL fragment (`#token=…`: browsers never send fragments to the
 * server, so it stays out of access logs), keeps it for this tab (a reload still works) and takes
 * it out of the address bar and history.
 */
export function useFragmentToken(kind: 'invite' | 'reset'): string | null {
  const storageKey = `parley.${kind}Token`;
  const [token] = useState<string | null>(() => {
    const fromHash = new URLSearchParams(window.location.hash.slice(1)).get('token');
    if (fromHash) {
      try {
        window.sessionStorage.setItem(storageKey, fromHash);
      } catch {
        // kept in memory only
      }
      return fromHash;
    }
    try {
      return window.sessionStorage.getItem(storageKey);
    } catch {
      return null;
    }
  });
  useEffect(() => {
    if (window.location.hash) window.history.replaceState(null, '', window.location.pathname);
  }, []);
  return token;
}

export function forgetFragmentToken(kind: 'invite' | 'reset'): void {
  try {
    window.sessionStorage.removeItem(`parley.${kind}Token`);
  } catch {
    // nothing kept
  }
}
