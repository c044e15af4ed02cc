// A Kafka broker of a test's own, run from the jars scripts/services.sh fetched (the same version
// as the shared broker): one KRaft node on free ports with its data in a temporary folder, which a
// test may really stop (a controlled shutdown) and start again on the same data, as an operator's
// restart would, without disturbing the shared broker every other test uses.

import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { freePort } from './ports.js';

const KAFKA_VERSION = '3.9.1';

export interface OwnBroker {
  brokers: string[];
  /** Stops the broker (SIGTERM: a controlled shutdown) and waits until its process is gone. */
  stop(): Promise<void>;
  /** Starts it again on the same data and ports, and waits until it answers. */
  start(): Promise<void>;
  /** Stops it and removes its data. */
  close(): Promise<void>;
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

export async function startOwnBroker(label: string): Promise<OwnBroker> {
  const libs = join(process.env.LOGFED_CACHE ?? join(homedir(), '.cache', 'logfed'), `kafka-${KAFKA_VERSION}`, 'libs');
  if (!existsSync(join(libs, '.complete'))) throw new Error(`no Kafka ${KAFKA_VERSION} jars in ${libs}: run \`npm run services\` first`);
  const dir = mkdtempSync(join(tmpdir(), `logfed-broker-${label}-`));
  const [port, controllerPort] = [await freePort(), await freePort()];
  const brokers = [`127.0.0.1:${port}`];
  mkdirSync(join(dir, 'logs'));
  const properties = join(dir, 'server.properties');
  writeFileSync(
    properties,
    [
      'process.roles=broker,controller',
      'node.id=1',
      `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
      `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
      `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
      'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
      'controller.listener.names=CONTROLLER',
      'inter.broker.listener.name=PLAINTEXT',
      `log.dirs=${join(dir, 'data')}`,
      'offsets.topic.replication.factor=1',
      'offsets.topic.num.partitions=3',
      'transaction.state.log.replication.factor=1',
      'transaction.state.log.min.isr=1',
      'group.initial.rebalance.delay.ms=0',
      'auto.create.topics.enable=false',
      '',
    ].join('\n'),
  );
  const log4j = join(dir, 'log4j.properties');
  writeFileSync(
    log4j,
    ['log4j.rootLogger=WARN, file', 'log4j.appender.file=org.apache.log4j.FileAppender', `log4j.appender.file.File=${join(dir, 'logs', 'server.log')}`, 'log4j.appender.file.layout=org.apache.log4j.PatternLayout', 'log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n', ''].join('\n'),
  );
  const java = (main: string, args: string[], heap: string[]) => {
    const out = openSync(join(dir, 'logs', 'java.out'), 'a');
    return spawn('java', [...heap, '-Djava.awt.headless=true', `-Dlog4j.configuration=file:${log4j}`, `-Dkafka.logs.dir=${join(dir, 'logs')}`, '-cp', `${libs}/*`, main, ...args], { stdio: ['ignore', out, out] });
  };

  // Kafka's ids are 16 random bytes, base64url without padding.
  const format = java('kafka.tools.StorageTool', ['format', '-t', randomBytes(16).toString('base64url'), '-c', properties], ['-Xmx128m']);
  const formatted = await exited(format);
  if (formatted !== 0) throw new Error(`formatting the test broker's storage failed (exit ${formatted}): read ${join(dir, 'logs', 'java.out')}`);

  let child: ChildProcess | undefined;
  const answers = async (): Promise<boolean> => {
    const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING, connectionTimeout: 1_000, retry: { retries: 0 } }).admin();
    try {
      await admin.connect();
      await admin.describeCluster();
      return true;
    } catch {
      return false;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  };
  const broker: OwnBroker = {
    brokers,
    async start() {
      if (child) return;
      const c = java('kafka.Kafka', [properties], ['-Xms128m', '-Xmx384m', '-XX:+UseG1GC']);
      child = c;
      for (let i = 0; i < 240; i++) {
        if (c.exitCode !== null) throw new Error(`the test broker exited while starting (code ${c.exitCode}): read ${join(dir, 'logs')}`);
        if (await answers()) return;
        await new Promise((r) => setTimeout(r, 500));
      }
      throw new Error(`the test broker did not answer on ${brokers[0]} within 120 s: read ${join(dir, 'logs')}`);
    },
    async stop() {
      const c = child;
      if (!c) return;
      child = undefined;
      const gone = exited(c);
      c.kill('SIGTERM');
      const timer = setTimeout(() => c.kill('SIGKILL'), 60_000);
      await gone;
      clearTimeout(timer);
    },
    async close() {
      await broker.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await broker.start();
  return broker;
}
