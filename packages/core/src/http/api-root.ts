/**
 * Whether `url` lies under the API root `apiRoot`: same origin, and a path below the root's once
 * dot segments are resolved (as fetch resolves them: `/api/v3/../x` is `/x`). A forge's token is
 * sent nowhere else: on a server whose API is at `http://host/api/v3`, `http://host/other/...`
 * is the same origin but not the API, and a Link header, a compare URL or a redirect could name it.
 */
export function insideApiRoot(apiRoot: string | URL, url: string | URL): boolean {
  let target: URL;
  let root: URL;
  try {
    // A URL is read, never changed: one the caller parsed already is not parsed again.
    target = typeof url === 'string' ? new URL(url) : url;
    root = typeof apiRoot === 'string' ? new URL(apiRoot) : apiRoot;
  } catch {
    return false;
  }
  const prefix = root.pathname.endsWith('/') ? root.pathname : `${root.pathname}/`;
  return target.origin === root.origin && target.pathname.startsWith(prefix);
}
