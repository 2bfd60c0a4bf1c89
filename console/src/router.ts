/** Hash routes (`#/cycles`): the static server needs no rewrites and a reload keeps the page. */
import { useEffect, useState } from 'preact/hooks';

export function currentRoute(): string {
  return location.hash.replace(/^#\/?/, '').split('?')[0] ?? '';
}

export function useRoute(): [string, (route: string) => void] {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const changed = () => setRoute(currentRoute());
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  return [route, (next: string) => (location.hash = `#/${next}`)];
}
