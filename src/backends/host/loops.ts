/**
 * Which loops of a JS kernel gpu.js caps. gpu.js (all three modes) runs a `for` loop natively only when it
 * can see its bound: a single counter declared with a number literal and a test of literals and such
 * counters. Every other loop — `while`, `do … while`, a `for` whose test reads an argument or a computed
 * variable — is rewritten to stop after `loopMaxIterations` iterations (1000 by default), without an
 * error. {@link cappedLoops} finds those loops in a kernel's source so `jsKernel` can refuse them unless the
 * caller states the cap.
 *
 * The check is a scan of the source text, not a parse, and errs on the side of "capped": it calls a `for`
 * loop uncapped only in the plainest form, `for (let i = 3; i < 10; …)` (a number literal on both sides,
 * the test comparing the declared counter), which gpu.js also runs natively. Anything it does not
 * recognise counts as capped.
 */

/** A loop gpu.js would stop after `loopMaxIterations` iterations. */
export interface CappedLoop {
  readonly kind: 'for' | 'while' | 'do';
  /** 1-based line in the function's source. */
  readonly line: number;
  /** The loop's first line, trimmed (for messages). */
  readonly text: string;
}

const NUM = String.raw`(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?`;
const SAFE_INIT = new RegExp(String.raw`^\s*(?:let|var|const)\s+([A-Za-z_$][\w$]*)\s*=\s*${NUM}\s*$`);
const CMP = String.raw`(?:<=?|>=?|!==?)`;

/** Replaces comments, strings and template literals by spaces (newlines kept), so keywords inside them do not count. */
function blankNonCode(src: string): string {
  const out = src.split('');
  let i = 0;
  const blank = (from: number, to: number): void => {
    for (let j = from; j < to && j < out.length; j++) if (out[j] !== '\n') out[j] = ' ';
  };
  while (i < src.length) {
    const c = src[i];
    const next = src[i + 1];
    if (c === '/' && next === '/') {
      const end = src.indexOf('\n', i);
      const stop = end < 0 ? src.length : end;
      blank(i, stop);
      i = stop;
    } else if (c === '/' && next === '*') {
      const end = src.indexOf('*/', i + 2);
      const stop = end < 0 ? src.length : end + 2;
      blank(i, stop);
      i = stop;
    } else if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      while (j < src.length && src[j] !== c) j += src[j] === '\\' ? 2 : 1;
      blank(i + 1, j);
      i = j + 1;
    } else {
      i++;
    }
  }
  return out.join('');
}

/** Splits a `for` header at its top-level semicolons. */
function splitHeader(header: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < header.length; i++) {
    const c = header[i];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (c === ';' && depth === 0) {
      parts.push(header.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(header.slice(start));
  return parts;
}

/** True for a `for` header gpu.js runs natively (see the module comment); false when unsure. */
function forIsUncapped(header: string): boolean {
  const parts = splitHeader(header);
  if (parts.length !== 3) return false;
  const [init = '', test = '', update = ''] = parts;
  const m = SAFE_INIT.exec(init);
  if (m === null || update.trim() === '') return false;
  const name = (m[1] ?? '').replace(/\$/g, '\\$');
  const counterFirst = new RegExp(String.raw`^\s*${name}\s*${CMP}\s*${NUM}\s*$`);
  const literalFirst = new RegExp(String.raw`^\s*${NUM}\s*${CMP}\s*${name}\s*$`);
  return counterFirst.test(test) || literalFirst.test(test);
}

/**
 * The loops of a kernel's source that gpu.js caps at `loopMaxIterations`.
 *
 * @example
 * cappedLoops('function (n) { let s = 0; for (let i = 0; i < n; i++) s += i; return s; }') // [{ kind: 'for', line: 1, ... }]
 * cappedLoops('function () { let s = 0; for (let i = 0; i < 4096; i++) s += i; return s; }') // []
 */
export function cappedLoops(source: string): CappedLoop[] {
  const code = blankNonCode(source);
  const lines = source.split('\n');
  const found: CappedLoop[] = [];
  const keyword = /(?<![\w$.])(for|while|do)(?![\w$])/g;
  for (let m = keyword.exec(code); m !== null; m = keyword.exec(code)) {
    const kind = m[1] as CappedLoop['kind'];
    const at = m.index;
    const line = code.slice(0, at).split('\n').length;
    const loop = { kind, line, text: (lines[line - 1] ?? '').trim() };
    if (kind !== 'for') {
      found.push(loop);
      continue;
    }
    const open = code.indexOf('(', at);
    if (open < 0 || code.slice(at + 3, open).trim() !== '') {
      found.push(loop);
      continue;
    }
    let depth = 0;
    let close = -1;
    for (let i = open; i < code.length; i++) {
      if (code[i] === '(') depth++;
      else if (code[i] === ')' && --depth === 0) {
        close = i;
        break;
      }
    }
    if (close < 0 || !forIsUncapped(code.slice(open + 1, close))) found.push(loop);
  }
  return found;
}
