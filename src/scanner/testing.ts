// Event builders for the scanner's tests (unit and Redis integration): a Java stack trace joined
// into one message, as the multi-line stage hands it on, and an error event around a message.
// Not used by the scanner itself.

import type { LogEvent } from '../core/event.js';

export const trace = (type: string, site = 'com.shop.pay.Client.call') =>
  `payment failed\n${type}: Read timed out after 1500ms\n\tat java.net.SocketInputStream.read(SocketInputStream.java:150)\n\tat ${site}(Client.java:42)`;

export const errorEvent = (message: string, over: Partial<LogEvent> = {}): LogEvent => ({
  ts: 0,
  domain: 'pay',
  env: 'prod',
  app: 'core',
  file: 'app.log',
  level: 'ERROR',
  message,
  ...over,
});
