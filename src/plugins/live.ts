// Live events on their way to tail subscribers: every event a publisher hands the hub passes the
// trace mappers of its domain, then the `event` hooks of the plugins of that domain, once, before
// any subscriber's filter — so HTTP and graphql-ws clients see the same stream. A hook that
// throws drops that event (it may exist to hide something) and is reported with its plugin.

import type { LogEvent } from '../core/event.js';
import { TailHub } from '../pubsub/tail-hub.js';
import type { Plugin } from './define.js';
import { reportFailure } from './isolate.js';

export type LiveStep = (event: LogEvent) => LogEvent | null;

/** The event hooks of each event's domain, in load order; identity when there are none. */
export function createEventHooks(plugins: readonly Plugin[]): LiveStep {
  const byDomain = new Map<string, Plugin[]>();
  for (const p of plugins) if (p.hooks?.event) for (const d of p.domains) byDomain.set(d, [...(byDomain.get(d) ?? []), p]);
  if (byDomain.size === 0) return (e) => e;
  return (event) => {
    const hooks = byDomain.get(event.domain);
    if (!hooks) return event;
    let current = event;
    for (const plugin of hooks) {
      try {
        const out = plugin.hooks!.event!({ ...current });
        if (out === null) return null;
        if (typeof out !== 'object' || out === undefined || out.domain !== current.domain) {
          throw new Error(`expected the event (of domain ${current.domain}) or null, got ${out === undefined ? 'undefined' : `an event of domain ${String(out.domain)}`}`);
        }
        current = out;
      } catch (err) {
        reportFailure(plugin.name, 'event hook', err);
        return null;
      }
    }
    return current;
  };
}

/** A tail hub whose publish runs each event through `step` first; null means not published. */
export class PluginTailHub extends TailHub {
  constructor(
    private readonly step: LiveStep,
    capacity?: number,
  ) {
    super(capacity);
  }

  override publish(event: LogEvent): void {
    const out = this.step(event);
    if (out) super.publish(out);
  }
}
