// The rows, alerts and rule state of a task's closed windows on their way out: to the result store
// (one write, so state and results agree after a crash) and to the metrics and alerts topics.
// Writes run one after another, in order; the windows behind them are gone from the stage, so a
// failed write is retried (upserts make that safe) rather than dropped, and commits wait for them.

import { log as rootLog } from '../../observe/logger.js';
import type { Bus } from '../bus/types.js';
import type { Results } from '../results/index.js';
import type { TaskConfig } from './config.js';
import type { MetricStageOutput } from './metric-stage.js';
import { alertMessage, rowMessage } from './output.js';
import { untilDonePause } from '../../util/retry.js';

const log = rootLog.child({ component: 'compute-task' });

export interface ResultWriterDeps {
  config: TaskConfig;
  bus: Bus;
  /** Without it, rows and alerts go to the topics only. */
  results?: Results;
  /** Whether a failed write is tried again (the task runs); else the failure is the caller's. */
  retrying: () => boolean;
}

export class ResultWriter {
  private written: Promise<void> = Promise.resolve();

  constructor(private readonly deps: ResultWriterDeps) {}

  /** Settles once everything emitted so far is written. */
  get settled(): Promise<void> {
    return this.written;
  }

  /** Queues `out` behind what was emitted before it; resolves once it is written. */
  emit(out: MetricStageOutput): Promise<void> {
    if (out.rows.length === 0 && out.alerts.length === 0 && out.states.length === 0) return this.written;
    const write = async () => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await this.write(out);
        } catch (err) {
          if (!this.deps.retrying()) throw err;
          log.warn({ err, task: this.deps.config.id, attempt }, 'writing metric rows and alerts failed; retrying');
          await untilDonePause(attempt);
        }
      }
    };
    this.written = this.written.then(write, write);
    return this.written;
  }

  /** Rows, alerts and the rule state that goes with them in one store write; the topics beside it. */
  private async write({ rows, alerts, states }: MetricStageOutput): Promise<void> {
    const { config: c, bus, results } = this.deps;
    await Promise.all([
      results?.record(rows, alerts, { taskId: c.id, rules: states }),
      c.metricsTopic && rows.length ? bus.produce(c.metricsTopic, rows.map(rowMessage)) : undefined,
      c.alertsTopic && alerts.length ? bus.produce(c.alertsTopic, alerts.map(alertMessage)) : undefined,
    ]);
  }
}
