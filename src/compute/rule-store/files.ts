// The rule store of the embedded default: every *.yaml, *.yml and *.json file of a folder
// (examples/rules for the demo), read again on each snapshot so an edited file is picked up by the
// next reload. Rules saved through the API live in memory on top of the files until restart.

import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isLogfedError } from '../../errors/index.js';
import { loadRules, type Rule } from '../rules/index.js';
import { versionAllows } from './common.js';
import type { RuleSnapshot, RuleStore, StoredRule } from './types.js';

const RULE_FILE = /\.(ya?ml|json)$/i;

export interface FileRuleStoreOptions {
  /** The folder of rule files; no folder means no file rules (only those saved through the API). */
  dir?: string;
}

export function createFileRuleStore(opts: FileRuleStoreOptions): RuleStore {
  /** Rules saved or switched through the API, by id. */
  const overlay = new Map<string, StoredRule>();
  const refreshed = new Map<string, number>();
  const key = (id: string, version: number) => `${id}@${version}`;

  async function fromFiles(): Promise<RuleSnapshot> {
    const out: RuleSnapshot = { rules: [], rejected: [] };
    if (opts.dir === undefined) return out;
    let names: string[];
    try {
      names = (await readdir(opts.dir)).filter((n) => RULE_FILE.test(n)).sort();
    } catch (err) {
      out.rejected.push({ where: opts.dir, issues: [{ path: opts.dir, message: `cannot read the rules folder: ${(err as Error).message}` }] });
      return out;
    }
    const firstFile = new Map<string, string>();
    for (const name of names) {
      const path = join(opts.dir, name);
      let loaded: ReturnType<typeof loadRules>;
      let updatedAt: number;
      try {
        const [text, info] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
        updatedAt = Math.floor(info.mtimeMs);
        loaded = loadRules(text, /\.json$/i.test(name) ? 'json' : 'yaml');
      } catch (err) {
        if (!isLogfedError(err) && (err as NodeJS.ErrnoException).code === undefined) throw err;
        out.rejected.push({ where: name, issues: [{ path: name, message: (err as Error).message }] });
        continue;
      }
      for (const r of loaded.rejected) {
        out.rejected.push({ ...(r.id ? { id: r.id } : {}), where: `${name}#rules[${r.index}]`, issues: r.issues.map((i) => ({ ...i, path: `${name}#${i.path}` })) });
      }
      for (const rule of loaded.rules) {
        const other = firstFile.get(rule.id);
        if (other !== undefined) {
          out.rejected.push({ id: rule.id, version: rule.version, where: name, issues: [{ path: `${name}#rules[id=${rule.id}].id`, message: `duplicate id ${JSON.stringify(rule.id)} (first in ${other})` }] });
          continue;
        }
        firstFile.set(rule.id, name);
        out.rules.push(stored(rule, updatedAt));
      }
    }
    return out;
  }

  const stored = (rule: Rule, updatedAt: number): StoredRule => ({ id: rule.id, kind: rule.kind, version: rule.version, online: rule.online, rule, updatedAt });

  async function snapshot(): Promise<RuleSnapshot> {
    const files = await fromFiles();
    const rules: StoredRule[] = [];
    const seen = new Set<string>();
    for (const r of files.rules) {
      const saved = overlay.get(r.id);
      // A file edited to a higher version than the one saved through the API wins, and the saved one is forgotten.
      if (saved && saved.version >= r.version) rules.push(saved);
      else {
        overlay.delete(r.id);
        rules.push(r);
      }
      seen.add(r.id);
    }
    for (const r of overlay.values()) if (!seen.has(r.id)) rules.push(r);
    return {
      rules: rules.map((r) => {
        const at = refreshed.get(key(r.id, r.version));
        return at === undefined ? r : { ...r, refreshedAt: at };
      }),
      rejected: files.rejected,
    };
  }

  const current = async (id: string) => (await snapshot()).rules.find((r) => r.id === id);

  return {
    kind: 'files',
    location: opts.dir ?? '(no folder)',
    snapshot,
    async put(rule) {
      const existing = await current(rule.id);
      if (!versionAllows(existing, rule)) return existing!;
      const saved = stored(rule, Date.now());
      overlay.set(rule.id, saved);
      return saved;
    },
    async setOnline(id, online) {
      const existing = await current(id);
      if (!existing) return undefined;
      if (existing.online === online) return existing;
      const saved = stored({ ...existing.rule, online } as Rule, Date.now());
      overlay.set(id, saved);
      return saved;
    },
    async markRefreshed(rules, at) {
      for (const r of rules) refreshed.set(key(r.id, r.version), at);
    },
    async close() {},
  };
}
