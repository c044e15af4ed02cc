import { describe, expect, it, vi } from 'vitest';
import { createWsHygiene, WS_CLOSE } from './ws-hygiene.js';

function connection() {
  const close = vi.fn();
  return { ctx: { subscriptions: {} as Record<string, unknown>, extra: { socket: { close } as never } }, close };
}

describe('WebSocket hygiene', () => {
  it('refuses the operation past maxOperations and keeps the others', () => {
    const h = createWsHygiene({ maxOperations: 2, idleSeconds: 60, maxPayloadBytes: 1024, initTimeoutMs: 1000 });
    const { ctx, close } = connection();
    h.opened(ctx);
    ctx.subscriptions.a = null;
    expect(h.admit(ctx)).toBeUndefined();
    ctx.subscriptions.b = null;
    expect(h.admit(ctx)).toBeUndefined();
    ctx.subscriptions.c = null;
    expect(h.admit(ctx)?.[0]?.extensions.code).toBe('LIMIT_EXCEEDED');
    expect(close).not.toHaveBeenCalled();
    h.closed(ctx);
  });

  it('closes a connection with no operation for idleSeconds, and never one that runs an operation', async () => {
    vi.useFakeTimers();
    try {
      let now = 0;
      const h = createWsHygiene({ maxOperations: 5, idleSeconds: 10, maxPayloadBytes: 1024, initTimeoutMs: 1000 }, () => now);
      const busy = connection();
      const idle = connection();
      h.opened(busy.ctx);
      h.opened(idle.ctx);
      busy.ctx.subscriptions.s = null;
      h.admit(busy.ctx);
      now = 10_000;
      await vi.advanceTimersByTimeAsync(10_000);
      expect(idle.close).toHaveBeenCalledWith(WS_CLOSE.idle, expect.stringMatching(/Idle timeout/));
      expect(busy.close).not.toHaveBeenCalled();
      delete busy.ctx.subscriptions.s;
      h.completed(busy.ctx);
      now = 30_000;
      await vi.advanceTimersByTimeAsync(20_000);
      expect(busy.close).toHaveBeenCalledWith(WS_CLOSE.idle, expect.any(String));
      h.closed(busy.ctx);
      h.closed(idle.ctx);
    } finally {
      vi.useRealTimers();
    }
  });
});
