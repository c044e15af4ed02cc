// Readiness probe for scripts/services.sh: exits 0 only when the broker at argv[2] answers a real
// request (cluster metadata with at least one live broker, and a topic listing), 1 otherwise.
// Kept tiny and plain JS so it runs in a fraction of a second without a TypeScript loader.
import { Kafka, logLevel } from 'kafkajs';

const broker = process.argv[2] ?? '127.0.0.1:9092';
const kafka = new Kafka({
  clientId: 'logfed-services-ready',
  brokers: [broker],
  logLevel: logLevel.NOTHING,
  connectionTimeout: 1500,
  requestTimeout: 3000,
  retry: { retries: 0 },
});
const admin = kafka.admin();
const timer = setTimeout(() => process.exit(1), 8000);
try {
  await admin.connect();
  const cluster = await admin.describeCluster();
  if (cluster.brokers.length < 1 || cluster.controller === null) throw new Error('no live broker yet');
  await admin.listTopics();
  await admin.disconnect();
  clearTimeout(timer);
  process.exit(0);
} catch (err) {
  if (process.env.LOGFED_DEBUG) console.error(String(err));
  process.exit(1);
}
