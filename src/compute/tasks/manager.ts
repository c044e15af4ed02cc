// The compute tasks of one instance and the rule store they read: starts and stops tasks, reloads
// their rules on demand and on an interval, and saves rule edits only when every task that runs
// the rule would accept it. The runtime holds one (runtime.compute); GraphQL drives it.

import type { LogEvent } from '../../core/event.js';
import { LogfedError, isLogfedError } from '../../errors/index.js';
import { log as rootLog } from '../../observe/logger.js';
import type { Bus } from '../bus/types.js';
import { compilePipeline } from '../pipeline.js';
import type { RuleSnapshot, RuleStore, StoredRule } from '../rule-store/index.js';
import { checkRule, issuesText, type Rule, type RuleIssue } from '../rules/index.js';
import type { CompileDeps } from '../stages/compile.js';
import type { ComputeConfig } from './config.js';
import { compileMetricStage } from './metric-stage.js';
import { TaskRunner, type TaskRunnerDeps } from './runner.js';
import { selectRules, usesRule } from './select.js';
import type { ReloadResult } from './views.js';

const log = rootLog.child({ component: 'compute' });

export interface TaskManagerDeps {
  bus: Bus;
  store: RuleStore;
  compile: CompileDeps;
  /** Where tasks that feed the tail hand their events. */
  tail?: (events: LogEvent[]) => void;
  clock?: () => number;
  lagIntervalMs?: number;
  results?: TaskRunnerDeps['results'];
}

export class TaskManager {
  private readonly runners = new Map<string, TaskRunner>();
  private refreshTimer?: NodeJS.Timeout;
  private closed = false;

  constructor(
    readonly config: ComputeConfig,
    private readonly deps: TaskManagerDeps,
  ) {
    for (const task of config.tasks) {
      this.runners.set(task.id, new TaskRunner(task, { bus: deps.bus, compile: deps.compile, tail: deps.tail, clock: deps.clock, lagIntervalMs: deps.lagIntervalMs, results: deps.results }));
    }
  }

  get store(): RuleStore {
    return this.deps.store;
  }

  list(): TaskRunner[] {
    return [...this.runners.values()];
  }

  get(id: string): TaskRunner | undefined {
    return this.runners.get(id);
  }

  /**
   * Loads every task's rules and starts the tasks marked autoStart. A task that cannot start is
   * left FAILED with its reason (visible in `tasks`); the others and the gateway go on.
   */
  async start(): Promise<void> {
    const snapshot = await this.deps.store.snapshot();
    for (const runner of this.runners.values()) {
      await this.reloadWith(runner, snapshot);
      if (!runner.config.autoStart) continue;
      await runner.start().catch((err) => log.error({ err, task: runner.id }, 'compute task could not start'));
    }
    const every = this.config.rules.refreshSeconds;
    if (every > 0) {
      this.refreshTimer = setInterval(() => void this.reloadAll().catch((err) => log.warn({ err }, 'periodic rule reload failed')), every * 1000);
      this.refreshTimer.unref();
    }
  }

  async startTask(id: string): Promise<TaskRunner> {
    const runner = this.need(id);
    await this.reloadWith(runner, await this.deps.store.snapshot());
    await runner.start();
    return runner;
  }

  async stopTask(id: string): Promise<TaskRunner> {
    const runner = this.need(id);
    await runner.stop();
    return runner;
  }

  /** Reads the store now and gives the task its current rules (swapped in between batches). */
  async reloadRules(taskId: string): Promise<ReloadResult> {
    return this.reloadWith(this.need(taskId), await this.deps.store.snapshot());
  }

  async reloadAll(): Promise<void> {
    const snapshot = await this.deps.store.snapshot();
    for (const runner of this.runners.values()) await this.reloadWith(runner, snapshot);
  }

  /**
   * Validates a rule, checks it against every task that runs it, saves it and reloads those tasks.
   * A rule that is not valid, or that would break a task's rule set, is refused with each field and
   * reason (extensions.issues) and nothing changes.
   */
  async upsertRule(raw: unknown): Promise<StoredRule> {
    const checked = checkRule(raw);
    if (!checked.ok) throw refused(`rule ${describeId(raw)}is not valid`, checked.issues);
    const rule = checked.rule;
    await this.checkTasks(rule);
    const saved = await this.deps.store.put(rule, raw);
    return this.reloadUsers(saved);
  }

  /** Switches a rule on or off, if every task that runs it would accept the change. */
  async setRuleOnline(id: string, online: boolean): Promise<StoredRule> {
    const current = (await this.deps.store.snapshot()).rules.find((r) => r.id === id);
    if (!current) throw new LogfedError('NOT_FOUND', `no rule ${JSON.stringify(id)} in the rule store (${this.deps.store.location})`);
    if (current.online !== online) await this.checkTasks({ ...current.rule, online } as Rule);
    const saved = await this.deps.store.setOnline(id, online);
    if (!saved) throw new LogfedError('NOT_FOUND', `no rule ${JSON.stringify(id)} in the rule store (${this.deps.store.location})`);
    return this.reloadUsers(saved);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.refreshTimer);
    await Promise.all([...this.runners.values()].map((r) => r.close()));
    await this.deps.store.close();
  }

  private need(id: string): TaskRunner {
    const runner = this.runners.get(id);
    if (!runner) throw new LogfedError('NOT_FOUND', `no compute task ${JSON.stringify(id)}; configured tasks: ${[...this.runners.keys()].join(', ') || 'none'}`);
    return runner;
  }

  private async reloadWith(runner: TaskRunner, snapshot: RuleSnapshot): Promise<ReloadResult> {
    const selection = selectRules(runner.config.rules, snapshot, runner.runningRules());
    const result = await runner.load(selection);
    if (result.applied || !result.changed) {
      const loaded = [...selection.stored.values()].map((r) => ({ id: r.id, version: r.version }));
      await this.deps.store.markRefreshed(loaded, result.at).catch((err) => log.warn({ err, task: runner.id }, 'recording the rules refresh time failed'));
    }
    return result;
  }

  /** Reloads the tasks that run a saved rule; answers the rule as stored afterwards (refreshedAt set once loaded). */
  private async reloadUsers(saved: StoredRule): Promise<StoredRule> {
    const users = this.list().filter((r) => usesRule(r.config.rules, saved.id));
    if (users.length === 0) return saved;
    const snapshot = await this.deps.store.snapshot();
    for (const runner of users) await this.reloadWith(runner, snapshot);
    return (await this.deps.store.snapshot()).rules.find((r) => r.id === saved.id) ?? saved;
  }

  /** Compiles, for each task that runs the rule, its rule set with this rule in place; throws the issues of those that fail. */
  private async checkTasks(rule: Rule): Promise<void> {
    const users = this.list().filter((r) => usesRule(r.config.rules, rule.id));
    if (users.length === 0) return;
    const snapshot = await this.deps.store.snapshot();
    const entry: StoredRule = { id: rule.id, kind: rule.kind, version: rule.version, online: rule.online, rule };
    const others = snapshot.rules.filter((r) => r.id !== rule.id);
    const candidate: RuleSnapshot = { rules: [...others, entry], rejected: snapshot.rejected.filter((r) => r.id !== rule.id) };
    const issues: RuleIssue[] = [];
    for (const runner of users) {
      const selection = selectRules(runner.config.rules, candidate, runner.runningRules());
      try {
        compilePipeline(selection.rules, { ...this.deps.compile, name: `${runner.id}-check` }).close();
        compileMetricStage(selection.rules, { allowedLatenessMs: runner.config.allowedLatenessMs, idleTimeoutMs: runner.config.idleTimeoutMs });
      } catch (err) {
        const found = isLogfedError(err) && Array.isArray(err.details?.issues) ? (err.details.issues as RuleIssue[]) : [{ path: `tasks[id=${runner.id}]`, message: String(err) }];
        issues.push(...found.map((i) => ({ path: `tasks[id=${runner.id}].${i.path}`, message: i.message })));
      }
    }
    if (issues.length > 0) throw refused(`rule ${JSON.stringify(rule.id)} would break the rules of a task that runs it`, issues);
  }
}

function describeId(raw: unknown): string {
  const id = typeof raw === 'object' && raw !== null ? (raw as { id?: unknown }).id : undefined;
  return typeof id === 'string' ? `${JSON.stringify(id)} ` : '';
}

/** A refused rule: the message lists every issue, and extensions.issues carries them as data. */
function refused(what: string, issues: RuleIssue[]): LogfedError {
  return new LogfedError('BAD_USER_INPUT', `${what}: ${issuesText(issues)}`, { details: { issues } });
}
