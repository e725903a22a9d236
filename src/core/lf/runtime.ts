/**
 * The LF runtime: compiles an LF set once and applies it to row chunks, producing one Int8Array
 * column of votes per LF (-1 = abstain) plus a per-LF error summary. The same code runs inline
 * (tests, live preview), in browser workers and in Node worker threads (the CLI).
 *
 * Evaluation is organised in phases so a worker can say which LF is running when it hangs:
 * 1. all no-code templates (keyword, lookup, length, field) in one row-major pass — keyword and
 *    lookup LFs share one scan per text view (`keywords.ts`); these cannot loop;
 * 2. each regex LF (a pathological pattern can backtrack for a very long time);
 * 3. each code LF, row after row.
 * An LF that throws or returns something that is not a class gets an error (first row, message,
 * count) and abstains on those rows; the other LFs are unaffected.
 *
 * Code LFs are compiled only by a sandbox (sandbox.ts): each in a hardened compartment, with the
 * helpers and every row frozen before LF code sees them, so an LF's votes do not depend on which
 * LFs ran before it. Whatever LF code hands back (a return value, a thrown value) is read without
 * trusting it — it may be a Proxy or carry getters — and its text is cut to `MAX_LF_TEXT`.
 */
import { ABSTAIN } from '../types.ts';
import { HelperScope, type NlpFn } from './helpers.ts';
import { KeywordScanner, type KeywordGroupSpec } from './keywords.ts';
import { requiredChars } from './regex-prefilter.ts';
import { isFunctionLf, type ModuleLf } from './module-lfs.ts';
import { clipText, NO_SANDBOX, type LfSandbox } from './sandbox.ts';
import { stripTypes } from './strip-types.ts';
import { countTokens, fieldText, scanWords, tokensOf } from './text.ts';
import type { CompareOp, FieldLf, LengthLf, LfDef, LfErrorInfo, Row, RowChunk } from './types.ts';

export interface RuntimeOptions {
  /** Field helpers and code LFs treat as "the text"; default `text`. */
  readonly textField?: string;
  /** compromise, when any code LF uses the NLP helpers (see `needsNlp`). */
  readonly nlp?: NlpFn | null;
  /** Freeze each row before code LFs see it (workers own their row copies; inline callers may not). */
  readonly freezeRows?: boolean;
  /** Compiles code LFs (sandbox.ts); without one, every code LF fails to compile with `NO_SANDBOX`. */
  readonly sandbox?: LfSandbox | null;
}

/** An LF given as a JS function (the CLI module form): `apply(x, helpers)` returns a vote. */
export interface FunctionLf {
  readonly name: string;
  readonly apply: (x: Row, helpers: Readonly<Record<string, unknown>>) => unknown;
}

/** Votes of some LFs on one chunk. */
export interface LfChunkResult {
  /** LF positions (in the set) that were computed, ascending. */
  readonly lfs: readonly number[];
  /** `lfs.length × rows`, LF-major: votes of `lfs[j]` are `votes.subarray(j * rows, (j + 1) * rows)`. */
  readonly votes: Int8Array;
  readonly rows: number;
  /** Aligned with `lfs`; rows are dataset rows (`chunk.start + i`). */
  readonly errors: (LfErrorInfo | null)[];
  /** Milliseconds spent per LF (template LFs share their pass equally). */
  readonly ms: number[];
}

export interface ApplyChunkOptions {
  /** LF positions to compute; default all. */
  readonly only?: readonly number[];
  /** Called before each phase with the LF positions it computes (workers publish it for the watchdog). */
  readonly onPhase?: (lfs: readonly number[]) => void;
}

type Vote = number;
/** Marker for a return value that is not a class. */
const JUNK = -2;

type Phase =
  | { readonly kind: 'templates'; readonly lfs: number[]; readonly evals: TemplateEval[] }
  | {
      readonly kind: 'regex';
      readonly lf: number;
      readonly re: RegExp;
      readonly required: readonly string[];
      readonly field: string;
      readonly vote: Vote;
    }
  | { readonly kind: 'fn'; readonly lf: number; readonly fn: (x: Row) => unknown };

/**
 * A template LF: true when it fires on the current row. `texts` are the views' texts (already
 * folded), `tokens` their whitespace tokens where the pass split them (else null).
 */
type TemplateEval = { readonly vote: Vote; readonly fires: (row: Row, texts: string[], tokens: (readonly string[] | null)[]) => boolean };

interface View {
  readonly field: string;
  readonly fold: boolean;
  readonly groups: KeywordGroupSpec[];
  scanner: KeywordScanner | null;
  /**
   * Split this view's text into tokens once per row: only when code LFs will ask for them
   * (`tokens(x)`); token keywords and token counts then reuse them. Otherwise the scanner walks
   * the text itself and nothing is split.
   */
  tokens: boolean;
}

/** Where a `tokens`-unit length template finds the row's token count (resolved after compiling). */
interface TokenCountRef {
  readonly field: string;
  /** A view whose tokens the pass computes: their number is the count (case folding keeps whitespace). */
  view: number;
}

export class LfRuntime {
  readonly size: number;
  readonly names: readonly string[];
  /** Per LF: the reason it cannot run at all (bad regex, syntax error, unknown class), else null. */
  readonly compileErrors: (LfErrorInfo | null)[];
  readonly classes: readonly string[];
  private readonly phases: Phase[] = [];
  private readonly views: View[] = [];
  private readonly scope: HelperScope;
  private readonly classIndex: Map<string, number>;
  private readonly freezeRows: boolean;
  private readonly sandbox: LfSandbox | null;
  /** The helper values as code LFs receive them: hardened once, shared by every code LF. */
  private sandboxedHelpers: readonly unknown[] | null = null;
  /** The field templates read when they name none (the dataset's text field). */
  private readonly textField: string;
  private readonly tokenCounts: TokenCountRef[] = [];
  /** The case-folded view of the text field, whose text (and tokens) seed the code-LF helpers; -1: none. */
  private helperView = -1;
  /** Some code LF mentions `tokens`: hand it the pass's tokens (frozen, as the helper returns them). */
  private primeTokens = false;

  private constructor(names: readonly string[], classes: readonly string[], opts: RuntimeOptions) {
    this.size = names.length;
    this.names = names;
    this.classes = classes;
    this.compileErrors = names.map(() => null);
    this.textField = opts.textField ?? 'text';
    this.scope = new HelperScope(this.textField, classes, opts.nlp ?? null);
    this.freezeRows = opts.freezeRows ?? false;
    this.sandbox = opts.sandbox ?? null;
    this.classIndex = new Map();
    const lowerCount = new Map<string, number>();
    for (const c of classes) lowerCount.set(c.toLowerCase(), (lowerCount.get(c.toLowerCase()) ?? 0) + 1);
    classes.forEach((c, i) => {
      this.classIndex.set(c, i);
      // Case-insensitive names too, where that is unambiguous (`'SPAM'` for class `spam`).
      if (lowerCount.get(c.toLowerCase()) === 1)
        for (const v of [c.toLowerCase(), c.toUpperCase()]) if (!this.classIndex.has(v)) this.classIndex.set(v, i);
    });
  }

  /** Compile LF definitions (templates and code). */
  static fromDefs(defs: readonly LfDef[], classes: readonly string[], opts: RuntimeOptions = {}): LfRuntime {
    const rt = new LfRuntime(
      defs.map((d) => d.name),
      classes,
      opts,
    );
    const templates: { lf: number; ev: TemplateEval }[] = [];
    defs.forEach((def, j) => rt.addDef(def, j, templates));
    rt.finishViews(defs.map((d) => (d.kind === 'code' ? d.source : null)));
    rt.addTemplatePass(templates);
    return rt;
  }

  /**
   * An LF module's entries (module-lfs.ts): templates declared as data run on the template pass,
   * exactly as fromDefs runs them; functions receive the row and the helpers, as in fromFunctions.
   * A function's source is read only to know whether it may call `tokens(x)`, so the pass splits
   * the text once for it and the token keywords.
   */
  static fromModule(entries: readonly ModuleLf[], classes: readonly string[], opts: RuntimeOptions = {}): LfRuntime {
    const rt = new LfRuntime(
      entries.map((e) => e.name),
      classes,
      opts,
    );
    const helpers = Object.freeze(Object.fromEntries(rt.scope.names.map((n, i) => [n, rt.scope.values[i]])));
    const templates: { lf: number; ev: TemplateEval }[] = [];
    entries.forEach((e, j) => {
      if (!isFunctionLf(e)) return rt.addDef(e, j, templates);
      const apply = e.apply;
      rt.phases.push({ kind: 'fn', lf: j, fn: (x) => apply(x, helpers) });
    });
    rt.finishViews(entries.map((e) => (isFunctionLf(e) ? Function.prototype.toString.call(e.apply) : null)));
    rt.addTemplatePass(templates);
    return rt;
  }

  private addDef(def: LfDef, j: number, templates: { lf: number; ev: TemplateEval }[]): void {
    try {
      if (def.kind === 'code') {
        this.phases.push({ kind: 'fn', lf: j, fn: this.compileCode(def.source) });
        return;
      }
      const vote = this.labelIndex(def.label);
      if (def.kind === 'regex') {
        const re = compileRegex(def.pattern, def.flags);
        this.phases.push({
          kind: 'regex',
          lf: j,
          re,
          required: requiredChars(def.pattern, re.flags),
          field: def.field ?? this.textField,
          vote,
        });
      } else templates.push({ lf: j, ev: this.compileTemplate(def, vote) });
    } catch (e) {
      this.compileErrors[j] = { row: -1, message: errorMessage(e), count: 0 };
    }
  }

  private addTemplatePass(templates: readonly { lf: number; ev: TemplateEval }[]): void {
    if (templates.length > 0) {
      this.phases.unshift({ kind: 'templates', lfs: templates.map((t) => t.lf), evals: templates.map((t) => t.ev) });
    }
  }

  /** Wrap JS functions (the CLI's LF module form); they receive the row and the helpers object. */
  static fromFunctions(fns: readonly FunctionLf[], classes: readonly string[], opts: RuntimeOptions = {}): LfRuntime {
    const rt = new LfRuntime(
      fns.map((f) => f.name),
      classes,
      opts,
    );
    const helpers = Object.freeze(Object.fromEntries(rt.scope.names.map((n, i) => [n, rt.scope.values[i]])));
    fns.forEach((f, j) => {
      if (typeof f.apply !== 'function') {
        rt.compileErrors[j] = { row: -1, message: `LF "${f.name}" has no apply function`, count: 0 };
        return;
      }
      const apply = f.apply;
      rt.phases.push({ kind: 'fn', lf: j, fn: (x) => apply(x, helpers) });
    });
    rt.finishViews([]);
    return rt;
  }

  /** Class index of a vote value, ABSTAIN, or JUNK when it is not a class. */
  normalizeVote(v: unknown): number {
    if (v === null || v === undefined || v === false) return ABSTAIN;
    if (typeof v === 'number') return Number.isInteger(v) && v >= -1 && v < this.classes.length ? v : JUNK;
    if (typeof v === 'string') {
      const i = this.classIndex.get(v);
      if (i !== undefined) return i;
      return v === 'ABSTAIN' ? ABSTAIN : JUNK;
    }
    return JUNK;
  }

  /** Apply (some of) the LFs to one chunk. */
  applyChunk(chunk: RowChunk, opts: ApplyChunkOptions = {}): LfChunkResult {
    const rows = chunk.rows;
    const n = rows.length;
    const only = opts.only ? [...new Set(opts.only)].sort((a, b) => a - b) : Array.from({ length: this.size }, (_, j) => j);
    const slot = new Int32Array(this.size).fill(-1);
    only.forEach((lf, s) => (slot[lf] = s));
    const votes = new Int8Array(only.length * n).fill(ABSTAIN);
    const errors: (LfErrorInfo | null)[] = only.map((lf) => this.compileErrors[lf]);
    const ms = only.map(() => 0);
    // Only code LFs could mutate a row; templates and regexes just read it. In a sandbox the whole
    // row is frozen, nested values too (a JSONL field may hold an object one LF could change).
    if (this.phases.some((p) => p.kind === 'fn')) {
      if (this.sandbox) for (const r of rows) freezeRow(r, this.sandbox);
      else if (this.freezeRows) for (const r of rows) Object.freeze(r);
    }
    this.scope.clear();
    try {
      for (const ph of this.phases) {
        if (ph.kind === 'templates') {
          const active = ph.lfs.filter((lf) => slot[lf] >= 0);
          if (active.length === 0) continue;
          opts.onPhase?.(active);
          const t0 = now();
          this.runTemplates(ph, rows, slot, votes, n);
          const each = (now() - t0) / active.length;
          for (const lf of active) ms[slot[lf]] += each;
          continue;
        }
        const s = slot[ph.lf];
        if (s < 0) continue;
        opts.onPhase?.([ph.lf]);
        const t0 = now();
        const out = votes.subarray(s * n, (s + 1) * n);
        if (ph.kind === 'regex') {
          const { re, field, vote, required } = ph;
          for (let i = 0; i < n; i++) {
            const t = fieldText(rows[i], field);
            if (hasAll(t, required) && re.test(t)) out[i] = vote;
          }
        } else errors[s] = this.runFn(ph.fn, rows, chunk.start, out);
        ms[s] += now() - t0;
      }
    } finally {
      this.scope.clear();
    }
    return { lfs: only, votes, rows: n, errors, ms };
  }

  /**
   * After every template is compiled: build each view's scanner, decide which views the pass
   * splits into tokens, point token-count length templates at them, and pick the view that
   * seeds the code-LF helpers. `codeSources` are the code LFs' sources (null for the others).
   */
  private finishViews(codeSources: readonly (string | null)[]): void {
    for (const v of this.views) v.scanner = v.groups.length > 0 ? new KeywordScanner(v.groups) : null;
    if (this.phases.some((p) => p.kind === 'fn')) {
      this.helperView = this.views.findIndex((v) => v.field === this.textField && v.fold);
      // Function LFs (the CLI's module form) cannot be read: assume they may call tokens(x).
      this.primeTokens = codeSources.length === 0 || codeSources.some((src) => src !== null && /\btokens\b/.test(src));
      // The split is paid by the helper anyway: do it in the pass, where keywords share it.
      if (this.helperView >= 0 && this.primeTokens) this.views[this.helperView].tokens = true;
    }
    for (const ref of this.tokenCounts) {
      // Lowercasing neither creates nor removes whitespace, so a folded view's tokens count too.
      ref.view = this.views.findIndex((v) => v.field === ref.field && v.tokens);
    }
  }

  private runTemplates(
    ph: Extract<Phase, { kind: 'templates' }>,
    rows: readonly Row[],
    slot: Int32Array,
    votes: Int8Array,
    n: number,
  ): void {
    const views = this.views;
    const texts: string[] = views.map(() => '');
    const toks: (readonly string[] | null)[] = views.map(() => null);
    const { lfs, evals } = ph;
    const outOff = lfs.map((lf) => (slot[lf] >= 0 ? slot[lf] * n : -1));
    const hv = this.helperView;
    const prime = hv >= 0 && views[hv].tokens && this.primeTokens;
    for (let i = 0; i < n; i++) {
      const row = rows[i];
      for (let v = 0; v < views.length; v++) {
        const view = views[v];
        const t = fieldText(row, view.field);
        const text = view.fold ? t.toLowerCase() : t;
        texts[v] = text;
        if (view.tokens) {
          // The helper's arrays are frozen (shared by every code LF of the row).
          toks[v] = Object.freeze(tokensOf(text));
        }
        if (view.scanner) view.scanner.scan(text, toks[v] ?? undefined);
      }
      if (hv >= 0) this.scope.prime(i, texts[hv], prime ? toks[hv] : null);
      for (let e = 0; e < evals.length; e++) {
        const off = outOff[e];
        if (off >= 0 && evals[e].fires(row, texts, toks)) votes[off + i] = evals[e].vote;
      }
    }
  }

  private runFn(fn: (x: Row) => unknown, rows: readonly Row[], start: number, out: Int8Array): LfErrorInfo | null {
    let first = -1;
    let message = '';
    let count = 0;
    const scope = this.scope;
    for (let i = 0; i < rows.length; i++) {
      let v: number;
      try {
        scope.at(rows[i], i);
        const raw = fn(rows[i]);
        v = this.normalizeVote(raw);
        if (v === JUNK) {
          if (count++ === 0) {
            first = start + i;
            message = clipText(
              `returned ${describe(raw)}, which is not a class (expected ${this.classes.map((c) => `'${c}'`).join(', ')}, an index 0–${this.classes.length - 1}, or null to abstain)`,
            );
          }
          continue;
        }
      } catch (e) {
        if (count++ === 0) {
          first = start + i;
          message = `threw ${errorMessage(e)}`;
        }
        continue;
      }
      out[i] = v;
    }
    return count === 0 ? null : { row: first, message, count };
  }

  private labelIndex(label: string): number {
    const i = this.classIndex.get(label);
    if (i === undefined) throw new Error(`label '${label}' is not a class (classes: ${this.classes.join(', ')})`);
    return i;
  }

  private view(field: string, fold: boolean): number {
    let v = this.views.findIndex((x) => x.field === field && x.fold === fold);
    if (v < 0) {
      v = this.views.length;
      this.views.push({ field, fold, groups: [], scanner: null, tokens: false });
    }
    return v;
  }

  private compileTemplate(def: Exclude<LfDef, { kind: 'code' | 'regex' }>, vote: Vote): TemplateEval {
    switch (def.kind) {
      case 'keyword':
      case 'lookup': {
        if (def.kind === 'lookup' && def.match === 'value') {
          const fold = !def.caseSensitive;
          const set = new Set(def.values.map((v) => (fold ? v.trim().toLowerCase() : v.trim())));
          const field = def.field ?? this.textField;
          return { vote, fires: (row) => set.has(fold ? fieldText(row, field).trim().toLowerCase() : fieldText(row, field).trim()) };
        }
        const fold = !def.caseSensitive;
        const words = def.kind === 'keyword' ? def.keywords : def.values;
        const v = this.view(def.field ?? this.textField, fold);
        const g = this.views[v].groups.length;
        this.views[v].groups.push({
          keywords: words.map((k) => (fold ? k.toLowerCase() : k)),
          mode: def.kind === 'keyword' ? def.mode : 'any',
          match: def.kind === 'keyword' ? def.match : 'word',
        });
        const view = this.views[v];
        return { vote, fires: () => view.scanner!.fired(g) };
      }
      case 'length': {
        if (def.unit !== 'tokens') return { vote, fires: compileLength(def, this.textField) };
        const ref: TokenCountRef = { field: def.field ?? this.textField, view: -1 };
        this.tokenCounts.push(ref);
        return { vote, fires: compileLength(def, this.textField, ref) };
      }
      case 'field':
        return { vote, fires: compileField(def) };
    }
  }

  private compileCode(source: string): (x: Row) => unknown {
    try {
      return this.compileJs(source);
    } catch (e) {
      const refused = sandboxRefusal(errorMessage(e));
      if (refused) throw new Error(refused);
      if (!isSyntaxError(e)) throw e;
      // Maybe TypeScript: retry without its annotations, keeping the JS error if that fails too.
      const js = stripTypes(source);
      if (js !== source) {
        try {
          return this.compileJs(js);
        } catch {
          /* report the original error below */
        }
      }
      throw new Error(`syntax error: ${errorMessage(e)}`);
    }
  }

  /**
   * Compile JS source in expression form, else body form, in the sandbox; throws the relevant
   * SyntaxError. The helpers are parameters of a wrapper evaluated in the LF's own compartment,
   * so they are plain bindings there (no global lookup) and nothing else of this realm is.
   */
  private compileJs(source: string): (x: Row) => unknown {
    const sandbox = this.sandbox;
    if (!sandbox) throw new Error(NO_SANDBOX);
    const { names } = this.scope;
    this.sandboxedHelpers ??= this.scope.values.map((v) => sandbox.harden(v));
    const values = this.sandboxedHelpers;
    let src = source.trim().replace(/^export\s+default\s+/, '');
    while (src.endsWith(';')) src = src.slice(0, -1).trimEnd();
    let exprError: unknown;
    try {
      // Expression form: `(x) => ...` or `function (x) { ... }`.
      const make = sandbox.evaluate(`(function (${names.join(', ')}) {\n"use strict";\nreturn (${src}\n);\n})`);
      if (typeof make !== 'function') throw new SyntaxError('the code is not one expression');
      const fn: unknown = make(...values);
      if (typeof fn !== 'function') throw new Error(`the code evaluates to ${describe(fn)}, not a function of the row x`);
      return fn as (x: Row) => unknown;
    } catch (e) {
      exprError = e;
    }
    if (!isSyntaxError(exprError)) throw exprError;
    // Body form: statements using `x`, with `return`.
    try {
      const body = sandbox.evaluate(`(function (x, ${names.join(', ')}) {\n"use strict";\n${source}\n})`);
      if (typeof body !== 'function') throw new SyntaxError('the code is not a function body');
      return (x) => (body as (...args: unknown[]) => unknown)(x, ...values);
    } catch (e) {
      throw /\breturn\b/.test(source) ? e : exprError;
    }
  }
}

/**
 * Freeze a row before code LFs see it: the row itself always, nested objects (JSONL) through the
 * sandbox's deep freeze. Flat rows of strings and numbers, the common case, skip the deep walk.
 */
function freezeRow(row: Row, sandbox: LfSandbox): void {
  if (Object.isFrozen(row)) return;
  for (const k in row) {
    const v = row[k];
    if (v !== null && typeof v === 'object') {
      sandbox.harden(row);
      return;
    }
  }
  Object.freeze(row);
}

/**
 * The sandbox refuses some source text outright, wherever it appears (SES cannot tell a string
 * from code without a parser): say so in the user's terms.
 */
function sandboxRefusal(message: string): string | null {
  if (message.includes('SES_IMPORT_REJECTED'))
    return "LF code may not contain 'import(' — LFs cannot load code — not even in a string or a comment (write 'imp' + 'ort(' if you need the text)";
  if (message.includes('SES_HTML_COMMENT_REJECTED'))
    return "LF code may not contain '<!--' or '-->', not even in a string (write '<!' + '--' if you need the text)";
  return null;
}

/** A SyntaxError of this realm or of a compartment (they share the realm's frozen intrinsics). */
function isSyntaxError(e: unknown): boolean {
  try {
    return e instanceof SyntaxError;
  } catch {
    return false;
  }
}

/** Whether `t` contains every required character (see regex-prefilter.ts). */
function hasAll(t: string, required: readonly string[]): boolean {
  for (let k = 0; k < required.length; k++) if (!t.includes(required[k])) return false;
  return true;
}

function compileRegex(pattern: string, flags: string): RegExp {
  // `g`/`y` make test() resume from lastIndex, so the same text would alternate hit/miss.
  const clean = [...new Set(flags.replace(/[gy]/g, ''))].join('');
  try {
    return new RegExp(pattern, clean);
  } catch (e) {
    throw new Error(`invalid regular expression: ${errorMessage(e)}`);
  }
}

function compare(op: CompareOp, a: number, b: number): boolean {
  switch (op) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '==':
      return a === b;
    case '!=':
      return a !== b;
  }
}

function countWords(s: string): number {
  let c = 0;
  scanWords(s, () => c++);
  return c;
}

function compileLength(def: LengthLf, textField: string, tokenRef?: TokenCountRef): TemplateEval['fires'] {
  const field = def.field ?? textField;
  const { op, value } = def;
  if (!Number.isFinite(value)) throw new Error(`length threshold must be a number, got ${String(value)}`);
  if (tokenRef) {
    return (row, _texts, toks) => {
      const t = tokenRef.view >= 0 ? toks[tokenRef.view] : null;
      return compare(op, t ? t.length : countTokens(fieldText(row, field)), value);
    };
  }
  const measure = def.unit === 'chars' ? (s: string) => s.length : countWords;
  return (row) => compare(op, measure(fieldText(row, field)), value);
}

function compileField(def: FieldLf): TemplateEval['fires'] {
  const { field, op, value } = def;
  const ordered = op === '<' || op === '<=' || op === '>' || op === '>=' || op === '==' || op === '!=';
  if (typeof value === 'number' && ordered) {
    return (row) => {
      const v = row[field];
      const x = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
      return !Number.isNaN(x) && compare(op, x, value);
    };
  }
  const fold = def.caseSensitive === false;
  const want = fold ? String(value).toLowerCase() : String(value);
  const read = (row: Row) => (fold ? fieldText(row, field).toLowerCase() : fieldText(row, field));
  switch (op) {
    case 'contains':
      return (row) => read(row).includes(want);
    case 'startsWith':
      return (row) => read(row).startsWith(want);
    case 'endsWith':
      return (row) => read(row).endsWith(want);
    case 'empty':
      return (row) => read(row).trim() === '';
    case 'notEmpty':
      return (row) => read(row).trim() !== '';
    case '==':
      return (row) => read(row) === want;
    case '!=':
      return (row) => read(row) !== want;
    default:
      return (row) => {
        const s = read(row);
        return compare(op, s < want ? -1 : s > want ? 1 : 0, 0);
      };
  }
}

function now(): number {
  return performance.now();
}

/**
 * The text of a thrown value, read without trusting it: LF code may throw a Proxy, an object
 * whose `message` getter throws or loops, or a 20 MB string. Only own data properties that are
 * strings are read (no getters run, no `toString` is called); the result is cut to `MAX_LF_TEXT`.
 */
export function errorMessage(e: unknown): string {
  try {
    if (typeof e === 'string') return clipText(e);
    if (typeof e === 'number' || typeof e === 'boolean' || typeof e === 'bigint' || e === null || e === undefined) return String(e);
    if (typeof e === 'symbol') return 'a symbol';
    if (typeof e !== 'object' && typeof e !== 'function') return `a ${typeof e}`;
    const message = dataString(e, 'message');
    if (message === null) return describe(e);
    const name = dataString(e, 'name') ?? builtinErrorName(Object.getPrototypeOf(e));
    return clipText(`${name && name !== 'Error' ? name.slice(0, 100) + ': ' : ''}${message}`);
  } catch {
    return 'a value that could not be read';
  }
}

const BUILTIN_ERRORS: readonly { readonly prototype: object; readonly name: string }[] = [
  EvalError,
  RangeError,
  ReferenceError,
  SyntaxError,
  TypeError,
  URIError,
];

/** The name of a built-in error type by its prototype (a hardened realm turns `name` into an accessor). */
function builtinErrorName(proto: unknown): string | null {
  for (const t of BUILTIN_ERRORS) if (proto === t.prototype) return t.name;
  return null;
}

/** An own data property that holds a string, without running a getter; else null. */
function dataString(o: unknown, key: string): string | null {
  if (o === null || (typeof o !== 'object' && typeof o !== 'function')) return null;
  const d = Object.getOwnPropertyDescriptor(o, key);
  return d && 'value' in d && typeof d.value === 'string' ? d.value : null;
}

/** A short, safe rendering of an arbitrary value for error messages (never runs LF code). */
export function describe(v: unknown): string {
  if (typeof v === 'string') return `'${v.length > 40 ? v.slice(0, 40) + '…' : v}'`;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (typeof v === 'function') return 'a function';
  if (v === null) return 'null';
  if (typeof v !== 'object') return `a ${typeof v}`;
  try {
    // A Proxy's traps are LF code: read nothing through them.
    if (Array.isArray(v)) return 'an array';
    const then = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(v) ?? {}, 'then');
    if (then && 'value' in then && typeof then.value === 'function') return 'a Promise (LFs must be synchronous: no async/await)';
  } catch {
    /* a revoked or hostile Proxy */
  }
  return 'an object';
}
