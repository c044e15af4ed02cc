// Feeds the live tail's events to pattern mining. The compute core runs stages in its own order
// (tail -> cluster -> metrics); until the task runner runs the pattern stage in that list, the
// tail hub's relay is where processed events reach it. Then the runner calls the pattern
// service's `process` itself and this file goes.

import type { LogEvent } from '../core/event.js';
import { log } from '../observe/logger.js';
import type { TailHub } from '../pubsub/tail-hub.js';

/**
 * Mines every event this process publishes on the hub, in the publisher's call: a relay sees
 * the events of this replica only, so replicas that share their tails never count one twice.
 * Returns the function that stops it.
 */
export function mineTailEvents(tail: TailHub, process: (event: LogEvent) => void): () => void {
  return tail.relayTo((event) => {
    try {
      process(event);
    } catch (err) {
      log.warn({ err, domain: event.domain, app: event.app }, 'patterns: mining an event failed');
    }
  });
}
