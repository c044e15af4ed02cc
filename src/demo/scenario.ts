// Generates realistic traffic for the demo: a checkout crosses cart, order and user services in
// the shop domain, then the pay domain through a gateway that issues a new trace id. Some calls
// fail with multi-line stack traces. Pure: time and randomness come in as arguments.

import type { LogEvent } from '../core/event.js';
import { DEMO_APPS, type DemoApp } from './catalog.js';
import { formatLogback } from './logback.js';
import type { Rng } from './random.js';

export interface DemoLine {
  event: LogEvent;
  /** The formatted text (one or more physical lines, newline-terminated). */
  text: string;
  /** Files the line is written to (ERROR lines also go to error.log where the app has one). */
  files: string[];
}

export interface DemoRequest {
  lines: DemoLine[];
}

const app = (name: string): DemoApp => DEMO_APPS.find((a) => a.name === name)!;

const CHANNELS = ['alipay', 'wechat', 'unionpay', 'card'];
const IPS = ['10.12.3.4', '10.12.7.19', '172.16.4.22', '192.168.1.77', '10.40.0.8'];

export function generateRequest(rng: Rng, t0: number, env: string, seq: number): DemoRequest {
  const lines: DemoLine[] = [];
  const shopTrace = rng.hex(16);
  const payTrace = rng.hex(16);
  const orderNo = `ORD${(20260000 + seq).toString()}`;
  const payNo = `PAY${rng.hex(10).toUpperCase()}`;
  const userId = rng.int(1000, 9999);
  const amount = (rng.int(100, 99999) / 100).toFixed(2);
  const thread = () => `http-nio-8080-exec-${rng.int(1, 20)}`;
  let t = t0;
  const emit = (a: DemoApp, level: string, cls: string, line: number, message: string, traceId: string, extra = '') => {
    t += rng.int(1, 40);
    const domainEnv = a.domain === 'pay' ? 'prod' : env;
    const text = formatLogback({ ts: t, level, pid: a.pid, thread: thread(), traceId, logger: `${a.pkg}.${cls}`, line, message }) + extra;
    const files = level === 'ERROR' && a.files.includes('error.log') ? ['app.log', 'error.log'] : ['app.log'];
    const fullMessage = extra ? `${message}\n${extra.replace(/\n$/, '')}` : message;
    lines.push({
      event: { ts: t, domain: a.domain, env: domainEnv, app: a.name, file: 'app.log', host: `${a.name}-${domainEnv}-1`, level, traceId, message: fullMessage },
      text,
      files,
    });
  };

  const cart = app('cart-service');
  const order = app('order-service');
  const user = app('user-service');
  const gw = app('pay-gateway');
  const core = app('pay-core');

  emit(user, 'DEBUG', 'SessionCache', 57, `session hit for user ${userId}`, shopTrace);
  emit(cart, 'INFO', 'CartController', 42, `GET /cart/${userId} 200 in ${rng.int(3, 60)}ms`, shopTrace);
  emit(order, 'INFO', 'OrderController', 88, `order ${orderNo} created for user ${userId}, amount ${amount} CNY`, shopTrace);
  emit(order, 'INFO', 'PayClient', 131, `calling pay-gateway for order ${orderNo}`, shopTrace);

  if (env === 'prod') {
    // The gateway's route line is how the mapping shop -> pay is learned (plugins/pay-gateway).
    emit(gw, 'INFO', 'RouteFilter', 64, `route /pay/submit upstream-domain=shop upstream-trace=${shopTrace} trace=${payTrace} order=${orderNo}`, payTrace);
    const channel = rng.pick(CHANNELS);
    if (rng.chance(0.06)) {
      emit(core, 'ERROR', 'PaymentService', 212, `payment ${payNo} for order ${orderNo} failed via ${channel}`, payTrace, stackTrace(rng, channel));
      emit(gw, 'WARN', 'RouteFilter', 77, `upstream pay-core answered 502 for order=${orderNo} in ${rng.int(800, 3000)}ms`, payTrace);
      emit(order, 'WARN', 'PayClient', 140, `order ${orderNo} payment failed: 502 from pay-gateway`, shopTrace);
    } else {
      emit(core, 'INFO', 'PaymentService', 198, `payment ${payNo} for order ${orderNo} authorised via ${channel} in ${rng.int(20, 400)}ms`, payTrace);
      emit(order, 'INFO', 'OrderService', 77, `order ${orderNo} paid`, shopTrace);
      // Contact details in a log line: the demo task masks them before the live tail shows them.
      emit(user, 'INFO', 'NotifyService', 52, `receipt for order ${orderNo} mailed to user${userId}@example.com, sms to 1380013${String(userId).padStart(4, '0')}`, shopTrace);
    }
  } else {
    emit(order, 'INFO', 'PayClient', 150, `pay sandbox accepted order ${orderNo}`, shopTrace);
  }
  if (rng.chance(0.2)) emit(user, 'INFO', 'LoginController', 35, `user ${userId} login from ${rng.pick(IPS)}`, rng.hex(16));
  if (rng.chance(0.02)) {
    emit(order, 'ERROR', 'OrderRepository', 301, `could not update order ${orderNo}: lock wait timeout`, shopTrace, sqlTrace(rng));
  }
  return { lines };
}

function stackTrace(rng: Rng, channel: string): string {
  return [
    `java.net.SocketTimeoutException: Read timed out after ${rng.int(1000, 3000)}ms calling ${channel}`,
    '\tat java.base/sun.nio.ch.NioSocketImpl.timedRead(NioSocketImpl.java:288)',
    '\tat java.base/java.net.Socket$SocketInputStream.read(Socket.java:976)',
    `\tat c.e.pay.core.channel.${channel[0]!.toUpperCase()}${channel.slice(1)}Client.submit(ChannelClient.java:${rng.int(80, 140)})`,
    '\tat c.e.pay.core.PaymentService.pay(PaymentService.java:210)',
    '\t... 42 common frames omitted',
    '',
  ].join('\n');
}

function sqlTrace(rng: Rng): string {
  return [
    'org.springframework.dao.CannotAcquireLockException: could not execute statement; SQL [n/a]',
    '\tat org.hibernate.exception.internal.SQLStateConversionDelegate.convert(SQLStateConversionDelegate.java:118)',
    `\tat c.e.shop.order.OrderRepository.updateStatus(OrderRepository.java:${rng.int(290, 310)})`,
    'Caused by: java.sql.SQLTransactionRollbackException: Lock wait timeout exceeded; try restarting transaction',
    '\tat com.mysql.cj.jdbc.exceptions.SQLError.createSQLException(SQLError.java:123)',
    '\t... 17 more',
    '',
  ].join('\n');
}
