import { describe, expect, it } from 'vitest';
import { fingerprintException } from './fingerprint.js';

const trace = (build: { proxy: string; lambda: string; cglib: string; line: number; anon: number; message: string }) =>
  [
    `2024-05-01 10:00:00 ERROR [exec-3] c.f.Web - request failed`,
    `org.springframework.web.util.NestedServletException: Request processing failed; nested exception is ${build.message}`,
    `\tat org.springframework.web.servlet.FrameworkServlet.processRequest(FrameworkServlet.java:${build.line})`,
    `\tat com.foo.web.OrderController$$EnhancerBySpringCGLIB$$${build.cglib}.create(<generated>)`,
    `\tat sun.reflect.GeneratedMethodAccessor${build.line}.invoke(Unknown Source)`,
    `\tat java.base/java.lang.Thread.run(Thread.java:829)`,
    `Caused by: java.lang.NullPointerException: ${build.message}`,
    `\tat com.foo.service.OrderService.lambda$create$${build.anon}(OrderService.java:${build.line + 7})`,
    `\tat com.foo.service.OrderService$$Lambda$${build.line}/${build.lambda}.apply(Unknown Source)`,
    `\tat com.sun.proxy.${build.proxy}.save(Unknown Source)`,
    `\tat com.foo.service.OrderService$${build.anon}.run(OrderService.java:${build.line})`,
    `\t... 12 more`,
  ].join('\n');

describe('fingerprintException', () => {
  const one = fingerprintException(trace({ proxy: '$Proxy12', lambda: '0x0000000800c4b840', cglib: '8a7c3e21', line: 88, anon: 1, message: 'a is null' }))!;
  const other = fingerprintException(trace({ proxy: '$Proxy131', lambda: '0x00000008011fe000', cglib: 'ff00aa11', line: 412, anon: 7, message: 'order 42' }))!;

  it('takes the root cause and its normalised top frames', () => {
    expect(one.type).toBe('java.lang.NullPointerException');
    expect(one.chain).toEqual(['org.springframework.web.util.NestedServletException', 'java.lang.NullPointerException']);
    expect(one.frames).toEqual([
      'com.foo.service.OrderService.lambda$create',
      'com.foo.service.OrderService$$Lambda.apply',
      'com.sun.proxy.$Proxy.save',
      'com.foo.service.OrderService$.run',
    ]);
  });

  it('is the same across builds: line numbers, proxies, lambdas, CGLIB classes, messages', () => {
    expect(other.fingerprint).toBe(one.fingerprint);
  });

  it('differs when the failing code differs', () => {
    const moved = trace({ proxy: '$Proxy12', lambda: '0x1', cglib: '8a7c3e21', line: 88, anon: 1, message: 'x' }).replace(
      'OrderService.lambda$create',
      'OrderService.lambda$cancel',
    );
    expect(fingerprintException(moved)!.fingerprint).not.toBe(one.fingerprint);
  });

  it('uses the wrapper frames when the cause has none', () => {
    const fp = fingerprintException(
      ['java.io.UncheckedIOException: boom', '\tat com.foo.Io.read(Io.java:3)', 'Caused by: java.net.SocketTimeoutException: Read timed out', '\t... 4 more'].join('\n'),
    )!;
    expect(fp).toMatchObject({ type: 'java.net.SocketTimeoutException', frames: ['com.foo.Io.read'] });
  });

  it('ignores suppressed exceptions and keeps the top frames only', () => {
    const frames = Array.from({ length: 20 }, (_, i) => `\tat com.foo.Deep.level${'abcdefghijklmnopqrst'[i]}(Deep.java:${i})`);
    const fp = fingerprintException(
      ['Exception in thread "main" java.lang.IllegalStateException: bad', ...frames, '\tSuppressed: java.lang.Exception: x', '\t\tat com.foo.Other.y(Other.java:1)'].join('\n'),
    )!;
    expect(fp.type).toBe('java.lang.IllegalStateException');
    expect(fp.frames).toHaveLength(5);
    expect(fp.frames[0]).toBe('com.foo.Deep.levela');
  });

  it('reads Python tracebacks, innermost call first, and takes the first of a chain as the root', () => {
    const py = (line: number, venv: string) =>
      [
        'Traceback (most recent call last):',
        `  File "${venv}/site-packages/db/pool.py", line ${line}, in get`,
        '    conn = self._queue.get(timeout=5)',
        `  File "/srv/app/store.py", line ${line + 3}, in load`,
        '    raise TimeoutError("pool empty")',
        'TimeoutError: pool empty',
        '',
        'During handling of the above exception, another exception occurred:',
        '',
        'Traceback (most recent call last):',
        `  File "/srv/app/api.py", line ${line + 9}, in handler`,
        '    return store.load(key)',
        'app.errors.Unavailable: try later',
      ].join('\n');
    const a = fingerprintException(py(10, '/opt/venv/lib/python3.11'))!;
    const b = fingerprintException(py(99, '/home/u/.venv/lib/python3.12'))!;
    expect(a).toMatchObject({ type: 'TimeoutError', chain: ['app.errors.Unavailable', 'TimeoutError'], frames: ['store.py:load', 'db/pool.py:get'] });
    expect(b.fingerprint).toBe(a.fingerprint);
  });

  it('returns undefined for text that is not a stack trace', () => {
    expect(fingerprintException('Connection refused')).toBeUndefined();
    expect(fingerprintException('')).toBeUndefined();
  });
});
