// A TCP proxy a fault test controls: the gateway is pointed at it instead of at the shared
// service, and the test cuts it (listener closed, every connection reset) and restores it on
// the same port, so the gateway sees the service go away and come back while every other test
// keeps using the real service undisturbed.
//
// For Kafka the proxy also rewrites the broker ports in Metadata and FindCoordinator responses
// to its own, since a Kafka client connects to the brokers a broker advertises, not to the
// address it bootstrapped from.

import { createServer, connect, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  readonly port: number;
  /** Closes the listener and resets every open connection: the service looks down. */
  cut(): Promise<void>;
  /** Listens again on the same port. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }, opts: { kafka?: boolean } = {}): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let port = 0;
  let server: Server | undefined;

  const onConnection = (client: Socket) => {
    const upstream = connect(target.port, target.host);
    sockets.add(client).add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    if (opts.kafka) {
      const rewriter = kafkaRewriter(target.port, () => port);
      client.on('data', (chunk) => {
        rewriter.request(chunk);
        upstream.write(chunk);
      });
      upstream.on('data', (chunk) => {
        for (const frame of rewriter.response(chunk)) client.write(frame);
      });
    } else {
      client.pipe(upstream);
      upstream.pipe(client);
    }
  };

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const s = createServer(onConnection);
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => {
        port = (s.address() as { port: number }).port;
        server = s;
        resolve();
      });
    });

  const cut = async () => {
    const s = server;
    server = undefined;
    for (const sock of sockets) sock.destroy();
    sockets.clear();
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  };

  await listen();
  return {
    get port() {
      return port;
    },
    cut,
    async restore() {
      if (server) return;
      // The port was just released; another process may hold it for a moment.
      for (let attempt = 0; ; attempt++) {
        try {
          await listen();
          return;
        } catch (err) {
          if (attempt >= 50) throw err;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    },
    close: cut,
  };
}

/**
 * Tracks which API each correlation id asked (requests), and in Metadata (3) and
 * FindCoordinator (10) responses — the versions kafkajs speaks are not "flexible", so fields
 * have fixed layouts — replaces the broker's port with the proxy's. Responses are re-framed
 * whole, since a frame may arrive in pieces.
 */
function kafkaRewriter(brokerPort: number, proxyPort: () => number) {
  const asked = new Map<number, { key: number; version: number }>();
  let reqBuf = Buffer.alloc(0);
  let resBuf = Buffer.alloc(0);
  return {
    request(chunk: Buffer) {
      reqBuf = Buffer.concat([reqBuf, chunk]);
      while (reqBuf.length >= 4 && reqBuf.length >= 4 + reqBuf.readInt32BE(0)) {
        const size = reqBuf.readInt32BE(0);
        asked.set(reqBuf.readInt32BE(8), { key: reqBuf.readInt16BE(4), version: reqBuf.readInt16BE(6) });
        reqBuf = reqBuf.subarray(4 + size);
      }
    },
    response(chunk: Buffer): Buffer[] {
      resBuf = Buffer.concat([resBuf, chunk]);
      const out: Buffer[] = [];
      while (resBuf.length >= 4 && resBuf.length >= 4 + resBuf.readInt32BE(0)) {
        const size = resBuf.readInt32BE(0);
        const frame = Buffer.from(resBuf.subarray(0, 4 + size));
        resBuf = resBuf.subarray(4 + size);
        const api = asked.get(frame.readInt32BE(4));
        asked.delete(frame.readInt32BE(4));
        if (api?.key === 3) rewriteMetadata(frame, api.version, brokerPort, proxyPort());
        if (api?.key === 10) rewriteCoordinator(frame, api.version, brokerPort, proxyPort());
        out.push(frame);
      }
      return out;
    },
  };
}

/** [size][correlation id][throttle (v3+)] then brokers: [node_id host port rack (v1+)]. */
function rewriteMetadata(frame: Buffer, version: number, from: number, to: number): void {
  let at = 8 + (version >= 3 ? 4 : 0);
  const brokers = frame.readInt32BE(at);
  at += 4;
  for (let i = 0; i < brokers; i++) {
    at += 4; // node_id
    at += 2 + frame.readInt16BE(at); // host
    if (frame.readInt32BE(at) === from) frame.writeInt32BE(to, at);
    at += 4;
    if (version >= 1) {
      const rack = frame.readInt16BE(at);
      at += 2 + Math.max(0, rack);
    }
  }
}

/** v0: error_code node_id host port; v1+: throttle error_code error_message node_id host port. */
function rewriteCoordinator(frame: Buffer, version: number, from: number, to: number): void {
  let at = 8;
  if (version >= 1) {
    at += 4 + 2;
    const message = frame.readInt16BE(at);
    at += 2 + Math.max(0, message);
  } else at += 2;
  at += 4; // node_id
  at += 2 + frame.readInt16BE(at); // host
  if (frame.readInt32BE(at) === from) frame.writeInt32BE(to, at);
}
