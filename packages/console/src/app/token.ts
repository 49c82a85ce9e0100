/**
 * Where the console keeps the API token: in the tab's sessionStorage (gone when the tab closes,
 * never sent anywhere but the Authorization header). A link can carry it in its fragment,
 * `#token=…`, which browsers never send to the server (so it never reaches a server log); the
 * console reads it once and removes it from the address bar and the history entry.
 */

const KEY = 'sentry-git.console.token';

/** The token of a `#token=…` fragment, removed from the address bar; null without one. */
export function takeFragmentToken(location: Location, history: History): string | null {
  if (!location.hash.startsWith('#token=')) return null;
  const token = new URLSearchParams(location.hash.slice(1)).get('token');
  history.replaceState(history.state, '', `${location.pathname}${location.search}`);
  return token === null || token.trim() === '' ? null : token.trim();
}

export function savedToken(storage: Storage): string | null {
  try {
    return storage.getItem(KEY);
  } catch {
    // Storage disabled (a locked-down kiosk profile): the token lives as long as the page.
    return null;
  }
}

export function saveToken(storage: Storage, token: string | null): void {
  try {
    if (token === null) storage.removeItem(KEY);
    else storage.setItem(KEY, token);
  } catch {
    // See savedToken.
  }
}
