/**
 * Hash routes (`#/cycles`): the static server needs no rewrites and a reload keeps the page. A page of a
 * community is addressed `#/c/{community}/cycles` (tenancy): the address keeps the community, so a
 * link or a reload opens the same county's page.
 */
import { useEffect, useState } from 'preact/hooks';

const COMMUNITY_PREFIX = /^c\/([^/?]+)\/?/;

const hashPath = () => location.hash.replace(/^#\/?/, '');

export function currentRoute(): string {
  return hashPath().replace(COMMUNITY_PREFIX, '').split('?')[0] ?? '';
}

/** The community the address names, if any. */
export function communityInUrl(): string | undefined {
  const m = COMMUNITY_PREFIX.exec(hashPath());
  if (!m) return undefined;
  try {
    return decodeURIComponent(m[1]!);
  } catch {
    return undefined;
  }
}

/** The hash of `route` in `community` (none: outside every community, e.g. the commission's page). */
export function routeHash(route: string, community?: string): string {
  return community ? `#/c/${encodeURIComponent(community)}/${route}` : `#/${route}`;
}

export function useRoute(): [string, (route: string, community?: string) => void] {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const changed = () => setRoute(currentRoute());
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  return [route, (next: string, community?: string) => (location.hash = routeHash(next, community))];
}
