// What the fault tests share: polling a condition until it holds (the gateway recovers in the
// background, so a test waits for the state it expects rather than for a fixed time), and
// reading /healthz as service name -> status.

export async function eventually<T>(probe: () => Promise<T>, ok: (value: T) => boolean, what: string, attempts = 300, everyMs = 200): Promise<T> {
  let last: T | undefined;
  let lastError: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      last = await probe();
      if (ok(last)) return last;
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`${what} did not happen; last seen: ${JSON.stringify(last)}${lastError ? ` (${String(lastError)})` : ''}`);
}

export async function health(url: string): Promise<{ httpStatus: number; status: string; services: Record<string, string> }> {
  const res = await fetch(url.replace(/\/graphql$/, '/healthz'));
  const body = (await res.json()) as { status: string; services: Array<{ name: string; status: string }> };
  return { httpStatus: res.status, status: body.status, services: Object.fromEntries(body.services.map((s) => [s.name, s.status])) };
}
