// The console's address: `#/search?domain=pay&levels=ERROR`, `#/trace/<id>`, `#/tail`,
// `#/patterns?domain=shop&app=order-service&id=…`, `#/alerts`. Kept in the hash so any view can
// be bookmarked, pasted into an incident channel, and reloaded without the server knowing it.

import { useEffect, useRef, useState } from 'preact/hooks';

export const VIEWS = ['search', 'trace', 'tail', 'patterns', 'alerts'] as const;
export type View = (typeof VIEWS)[number];

export interface Route {
  view: View;
  /** The path segment after the view: the trace id of `#/trace/<id>`. */
  arg: string;
  params: URLSearchParams;
  /** The hash it was read from. */
  raw: string;
}

export function parseRoute(hash: string): Route {
  const body = hash.replace(/^#\/?/, '');
  const q = body.indexOf('?');
  const path = q < 0 ? body : body.slice(0, q);
  const params = new URLSearchParams(q < 0 ? '' : body.slice(q + 1));
  const [first = '', ...rest] = path.split('/');
  const view = (VIEWS as readonly string[]).includes(first) ? (first as View) : 'search';
  return { view, arg: decodeURIComponent(rest.join('/')), params, raw: hash };
}

export function href(view: View, params: Record<string, string | string[] | undefined> = {}, arg?: string): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (Array.isArray(v)) {
      if (v.length) q.set(k, v.join(','));
    } else if (v) q.set(k, v);
  }
  const qs = q.toString();
  return `#/${view}${arg ? `/${encodeURIComponent(arg)}` : ''}${qs ? `?${qs}` : ''}`;
}

/** `at`: a time the trace was seen, so the trace is searched around it rather than in the last hour. */
export function traceHref(traceId: string, domain?: string, at?: string): string {
  return href('trace', { domain, at }, traceId);
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const on = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}

// The address each view last wrote for itself: the navigation returns to it, and a view tells
// its own writes from addresses that came from a link or the back button.
const written = new Map<View, string>();

/** Where the navigation takes the reader back to: the view's own last address, else its last visit. */
export function lastHref(view: View, visited?: string): string {
  return written.get(view) || visited || href(view);
}

/** Changes the address without adding a history entry: filters typed into a view. */
export function replaceRoute(to: string): void {
  written.set(parseRoute(to).view, to);
  if (location.hash !== to) history.replaceState(null, '', to);
}

/** Calls `apply` when the view's address changed from outside the view: a link, back or forward. */
export function useRouteFromOutside(route: Route, apply: (r: Route) => void): void {
  const seen = useRef(route.raw);
  useEffect(() => {
    if (route.raw === seen.current) return;
    seen.current = route.raw;
    if (route.raw !== written.get(route.view)) apply(route);
  }, [route]);
}
