// Composite formulas over source aliases ("A1*0.2+B1*0.3"): a Pratt parser that reports what
// went wrong and at which column, and an evaluator that only knows numbers, the four operators,
// unary minus and a few whitelisted functions. Nothing is ever looked up on an object: aliases
// are resolved against the declared set when the rule loads, so "constructor" or "__proto__"
// are unknown aliases like any other.

export type FormulaNode =
  | { t: 'num'; v: number }
  | { t: 'ref'; name: string; col: number }
  | { t: 'neg'; x: FormulaNode }
  | { t: 'bin'; op: '+' | '-' | '*' | '/'; l: FormulaNode; r: FormulaNode }
  | { t: 'call'; fn: FunctionName; args: FormulaNode[] };

export class FormulaError extends Error {
  constructor(
    readonly reason: string,
    readonly column: number | undefined,
  ) {
    super(column === undefined ? reason : `${reason} at column ${column}`);
    this.name = 'FormulaError';
  }
}

type FunctionName = 'min' | 'max' | 'abs' | 'round' | 'floor' | 'ceil';
const FUNCTIONS = new Map<string, { min: number; max: number }>([
  ['min', { min: 1, max: 64 }],
  ['max', { min: 1, max: 64 }],
  ['abs', { min: 1, max: 1 }],
  ['round', { min: 1, max: 2 }],
  ['floor', { min: 1, max: 1 }],
  ['ceil', { min: 1, max: 1 }],
]);
export const FORMULA_FUNCTIONS: readonly string[] = [...FUNCTIONS.keys()];

interface Token {
  kind: 'num' | 'ident' | 'op' | 'eof';
  text: string;
  col: number;
}

const TOKEN = /\s*(?:(\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|([A-Za-z_][A-Za-z0-9_]*)|([-+*/(),]))/y;

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  TOKEN.lastIndex = 0;
  let at = 0;
  while (at < src.length) {
    if (/^\s*$/.test(src.slice(at))) break;
    TOKEN.lastIndex = at;
    const m = TOKEN.exec(src);
    if (!m) {
      const bad = src.slice(at).search(/\S/) + at;
      throw new FormulaError(`unexpected character "${src[bad]}"`, bad + 1);
    }
    const text = m[1] ?? m[2] ?? m[3]!;
    const col = TOKEN.lastIndex - text.length + 1;
    out.push({ kind: m[1] !== undefined ? 'num' : m[2] !== undefined ? 'ident' : 'op', text, col });
    at = TOKEN.lastIndex;
  }
  out.push({ kind: 'eof', text: '', col: src.length + 1 });
  return out;
}

const INFIX_POWER: Record<string, number> = { '+': 10, '-': 10, '*': 20, '/': 20 };
const PREFIX_POWER = 30;

/** Parses a formula; every name must be one of `aliases`. Throws FormulaError. */
export function parseFormula(src: string, aliases: Iterable<string>): FormulaNode {
  const known = new Set(aliases);
  const tokens = tokenize(src);
  if (tokens.length === 1) throw new FormulaError('formula is empty', undefined);
  let i = 0;
  const peek = () => tokens[i]!;
  const next = () => tokens[i++]!;
  const describe = (t: Token) => (t.kind === 'eof' ? 'the end of the formula' : `"${t.text}"`);

  const expression = (minPower: number): FormulaNode => {
    let left = operand();
    for (;;) {
      const t = peek();
      const power = t.kind === 'op' ? INFIX_POWER[t.text] : undefined;
      if (power === undefined) {
        if (t.kind === 'eof' || t.text === ')' || t.text === ',') return left;
        throw new FormulaError(`expected an operator, got ${describe(t)}`, t.col);
      }
      if (power <= minPower) return left;
      next();
      left = { t: 'bin', op: t.text as '+' | '-' | '*' | '/', l: left, r: expression(power) };
    }
  };

  const operand = (): FormulaNode => {
    const t = next();
    if (t.kind === 'num') return { t: 'num', v: Number(t.text) };
    if (t.kind === 'ident') {
      if (peek().text === '(') return call(t);
      if (!known.has(t.text)) throw new FormulaError(`unknown alias "${t.text}"`, t.col);
      return { t: 'ref', name: t.text, col: t.col };
    }
    if (t.text === '-' || t.text === '+') {
      const x = expression(PREFIX_POWER);
      return t.text === '-' ? { t: 'neg', x } : x;
    }
    if (t.text === '(') {
      const inner = expression(0);
      const close = next();
      if (close.text !== ')') throw new FormulaError(`"(" at column ${t.col} is never closed; got ${describe(close)}`, close.col);
      return inner;
    }
    throw new FormulaError(`expected a number, an alias or "(", got ${describe(t)}`, t.col);
  };

  const call = (name: Token): FormulaNode => {
    const arity = FUNCTIONS.get(name.text);
    if (!arity) throw new FormulaError(`unknown function "${name.text}" (allowed: ${FORMULA_FUNCTIONS.join(', ')})`, name.col);
    next();
    const args: FormulaNode[] = [];
    if (peek().text !== ')') {
      for (;;) {
        args.push(expression(0));
        if (peek().text !== ',') break;
        next();
      }
    }
    const close = next();
    if (close.text !== ')') throw new FormulaError(`"(" of ${name.text} is never closed; got ${describe(close)}`, close.col);
    if (args.length < arity.min || args.length > arity.max) {
      const want = arity.min === arity.max ? `${arity.min}` : arity.max > 2 ? `at least ${arity.min}` : `${arity.min} or ${arity.max}`;
      throw new FormulaError(`function "${name.text}" takes ${want} argument(s), got ${args.length}`, name.col);
    }
    return { t: 'call', fn: name.text as FunctionName, args };
  };

  const ast = expression(0);
  const rest = peek();
  if (rest.kind !== 'eof') throw new FormulaError(`unexpected ${describe(rest)}`, rest.col);
  return ast;
}

/** Every alias a formula reads, in order of first use. */
export function formulaAliases(node: FormulaNode, out = new Set<string>()): Set<string> {
  if (node.t === 'ref') out.add(node.name);
  else if (node.t === 'neg') formulaAliases(node.x, out);
  else if (node.t === 'bin') {
    formulaAliases(node.l, out);
    formulaAliases(node.r, out);
  } else if (node.t === 'call') for (const a of node.args) formulaAliases(a, out);
  return out;
}

/**
 * Evaluates a parsed formula. A division by zero, an alias without a value and any result that
 * is not a finite number give null, and null propagates through every operator and function,
 * as NULL does in SQL: a health score is better missing than silently 0 or Infinity.
 */
export function evaluateFormula(node: FormulaNode, values: ReadonlyMap<string, number>): number | null {
  switch (node.t) {
    case 'num':
      return node.v;
    case 'ref': {
      const v = values.get(node.name);
      return v === undefined || !Number.isFinite(v) ? null : v;
    }
    case 'neg': {
      const x = evaluateFormula(node.x, values);
      return x === null ? null : -x;
    }
    case 'bin': {
      const l = evaluateFormula(node.l, values);
      const r = evaluateFormula(node.r, values);
      if (l === null || r === null) return null;
      const v = node.op === '+' ? l + r : node.op === '-' ? l - r : node.op === '*' ? l * r : r === 0 ? null : l / r;
      return v === null || !Number.isFinite(v) ? null : v;
    }
    case 'call': {
      const args: number[] = [];
      for (const a of node.args) {
        const v = evaluateFormula(a, values);
        if (v === null) return null;
        args.push(v);
      }
      return applyFunction(node.fn, args);
    }
  }
}

function applyFunction(fn: FunctionName, a: number[]): number {
  switch (fn) {
    case 'min':
      return Math.min(...a);
    case 'max':
      return Math.max(...a);
    case 'abs':
      return Math.abs(a[0]!);
    case 'floor':
      return Math.floor(a[0]!);
    case 'ceil':
      return Math.ceil(a[0]!);
    case 'round': {
      // Half away from zero, as people round by hand; digits are clamped to 0..10.
      const f = 10 ** Math.min(10, Math.max(0, Math.trunc(a[1] ?? 0)));
      return (Math.sign(a[0]!) * Math.round(Math.abs(a[0]!) * f)) / f;
    }
  }
}
