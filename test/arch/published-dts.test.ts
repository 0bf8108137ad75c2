// The published declarations (issue 25, item 4): tsconfig.build.json strips `@internal` members, and no public
// declaration names an engine's internal types. Builds the declarations once, exactly as `npm run build` (and so
// `npm pack`) does, into a temporary folder (tsc --emitDeclarationOnly), then reads them with TypeScript's API:
// every name the package's entry points export (package.json "exports"), its declaration text.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

/** Types of the engines' insides: a published declaration that names one leaks an internal module. */
export const INTERNAL_TYPES = ['DeviceContext', 'HostContext', 'BufferPool', 'HostPool', 'GpujsBackend', 'BuilderCache', 'HostStorage', 'DawnBackend', 'HostBackend'];

let out = '';

function dtsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    if (f === 'node_modules') return [];
    const p = join(dir, f);
    return statSync(p).isDirectory() ? dtsFiles(p) : p.endsWith('.d.ts') ? [p] : [];
  });
}

/** The d.ts of each entry point in package.json "exports", as paths under the build folder. */
function entryPoints(): string[] {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { exports: Record<string, { types: string }> };
  return Object.values(pkg.exports).map((e) => join(out, e.types.replace(/^\.\/dist\//, '')));
}

let programCache: ts.Program | undefined;

/** The entry points' declarations as a strict consumer compiles them (Node's lib, no skipLibCheck). */
function program(): ts.Program {
  programCache ??= ts.createProgram(entryPoints(), {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2022.d.ts'],
    types: ['node'],
    strict: true,
    noEmit: true,
    skipLibCheck: false,
  });
  return programCache;
}

/** Every name the entry points export, with the text of its declarations (a class with its members). */
function publicDeclarations(): { name: string; entry: string; text: string }[] {
  const entries = entryPoints();
  const checker = program().getTypeChecker();
  const found: { name: string; entry: string; text: string }[] = [];
  for (const entry of entries) {
    const sf = program().getSourceFile(entry);
    const mod = sf === undefined ? undefined : checker.getSymbolAtLocation(sf);
    if (mod === undefined) throw new Error(`published-dts: no module for ${entry}`);
    for (const sym of checker.getExportsOfModule(mod)) {
      const real = sym.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(sym) : sym;
      for (const d of real.declarations ?? []) found.push({ name: sym.name, entry: entry.slice(out.length + 1), text: d.getText() });
    }
  }
  return found;
}

beforeAll(() => {
  out = mkdtempSync(join(tmpdir(), 'gpukit-dts-'));
  execFileSync(join(ROOT, 'node_modules/.bin/tsc'), ['-p', join(ROOT, 'tsconfig.build.json'), '--emitDeclarationOnly', '--declarationMap', 'false', '--outDir', out], { cwd: ROOT, stdio: 'inherit' });
  symlinkSync(join(ROOT, 'node_modules'), join(out, 'node_modules'), 'dir'); // the declarations' imports resolve as installed
}, 300_000);

afterAll(() => {
  if (out !== '') rmSync(out, { recursive: true, force: true });
});

describe('published declarations', () => {
  it('tsconfig.build.json strips @internal', () => {
    const config = ts.readConfigFile(join(ROOT, 'tsconfig.build.json'), (p) => ts.sys.readFile(p));
    const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT);
    expect(parsed.options.stripInternal).toBe(true);
  });

  it('no .d.ts the package ships carries an @internal member', () => {
    const left = dtsFiles(out).flatMap((f) =>
      readFileSync(f, 'utf8')
        .split('\n')
        .flatMap((line, i) => (line.includes('@internal') ? [`${f.slice(out.length + 1)}:${String(i + 1)}: ${line.trim()}`] : [])),
    );
    expect(left).toEqual([]);
  });

  it('the declarations compile on their own (none references a stripped declaration)', () => {
    const errors = ts.getPreEmitDiagnostics(program()).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n') + (d.file !== undefined ? ` (${d.file.fileName.slice(out.length + 1)})` : ''));
    expect(errors).toEqual([]);
  }, 120_000);

  it('no exported declaration names an internal type (DeviceContext, HostContext, BufferPool…)', () => {
    const decls = publicDeclarations();
    expect(decls.length).toBeGreaterThan(100); // the entry points were read
    const re = new RegExp(`\\b(${INTERNAL_TYPES.join('|')})\\b`);
    const leaks = decls.flatMap(({ name, entry, text }) =>
      text
        .split('\n')
        .filter((l) => re.test(l) && !/^\s*(\*|\/\/|\/\*)/.test(l))
        .map((l) => `${entry} ${name}: ${l.trim().slice(0, 160)}`),
    );
    expect(leaks).toEqual([]);
  });
});
