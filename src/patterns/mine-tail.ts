// Mines the live tail's events as a stage of the core: every event this process publishes passes
// through pattern mining before subscribers see it, so each live line carries its `pattern` and
// `topPattern`. Events other replicas publish were mined there and are not counted twice.

import type { LogEvent } from '../core/event.js';
import { log } from '../observe/logger.js';
import type { TailHub } from '../pubsub/tail-hub.js';

/** Returns the function that stops mining. A failure leaves the event as it was. */
export function mineTailEvents(tail: TailHub, process: (event: LogEvent) => LogEvent): () => void {
  return tail.prepareWith((event) => {
    try {
      return process(event);
    } catch (err) {
      log.warn({ err, domain: event.domain, app: event.app }, 'patterns: mining an event failed');
      return event;
    }
  });
}
