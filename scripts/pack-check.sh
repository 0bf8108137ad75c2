#!/usr/bin/env bash
# What a user of the published package gets: packs gpukit as `npm publish` would, installs the tarball into a
# fresh consumer project, type-checks a strict consumer WITHOUT skipLibCheck (once with `lib: ["ES2022"]` as a
# Node project has it, once with "DOM" added), checks that no @internal declaration was packed, then runs a kernel
# from it (open a device, upload, sum, check).
# Uses this checkout's TypeScript and installs only the tarball and @types/node (from npm's cache when it
# has them). Exit status 0 = every step passed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tsc="$root/node_modules/.bin/tsc"
[ -x "$tsc" ] || { echo "pack-check: run npm ci first (no $tsc)"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "pack-check: npm pack (runs the build)"
(cd "$root" && npm pack --silent --pack-destination "$work" >"$work/pack.log") || { cat "$work/pack.log"; exit 1; }
tarball=$(ls "$work"/gpukit-*.tgz)

consumer="$work/consumer"
mkdir -p "$consumer"
cd "$consumer"
cat >package.json <<'JSON'
{ "name": "gpukit-consumer", "private": true, "type": "module" }
JSON
node_types=$(node -p "require('$root/node_modules/@types/node/package.json').version")
echo "pack-check: npm install $(basename "$tarball") @types/node@$node_types into a fresh project"
npm install --no-audit --no-fund --prefer-offline --loglevel=error "$tarball" "@types/node@$node_types"
# The kernels' shared modules (kernels/lib/, imported by //#import) must ship with the kernels.
for m in "$root"/kernels/lib/*.wgsl; do
  [ -f "node_modules/gpukit/kernels/lib/$(basename "$m")" ] || { echo "pack-check: kernels/lib/$(basename "$m") is missing from the package"; exit 1; }
done

echo "pack-check: no @internal left in the packed declarations (tsconfig.build.json strips them)"
# Only the declarations this tree builds: dist/ is not cleaned before a build, so outputs of moved or deleted
# sources (from an older checkout) can linger there and get packed; those are named, not failed.
internal=0
while IFS= read -r f; do
  rel=${f#node_modules/gpukit/dist/}
  if [ -f "$root/src/${rel%.d.ts}.ts" ]; then echo "  $f"; internal=1; else echo "pack-check: warning: stale $rel (no src/${rel%.d.ts}.ts) ships from an old dist/; rm -rf dist && npm run build"; fi
done < <(grep -rl --include='*.d.ts' '@internal' node_modules/gpukit/dist || true)
[ "$internal" = 0 ] || { echo "pack-check: the files above ship @internal declarations (is stripInternal off, or a tag misplaced?)"; exit 1; }

cat >index.ts <<'TS'
import { DeviceArray, GpukitError, openDevice, sum, type DeviceInfo, type GpuDevice } from 'gpukit';

const device: GpuDevice = await openDevice({ engine: 'dawn' });
try {
  const info: DeviceInfo = device.info;
  const x: DeviceArray<'f32'> = device.array(Float32Array.from({ length: 1000 }, (_, i) => i));
  const [total] = await sum(x).toArray();
  // 0 + 1 + ... + 999, exact in f32.
  if (total !== 499500) throw new Error(`sum of 0..999 from the packed gpukit is ${String(total)}, expected 499500`);
  console.log(`pack-check: the packed gpukit summed 0..999 = ${String(total)} on ${info.description}`);
} catch (e) {
  if (e instanceof GpukitError) console.error(`pack-check: ${e.code}: ${e.message}`);
  throw e;
} finally {
  await device.close();
}
TS
# gpukit/fleet: its types check strictly too (they reach ioredis's), and the export resolves at run time.
cat >fleet.ts <<'TS'
import { fleet, FleetJobError, type RunResult, type WorkerIdentity } from 'gpukit/fleet';

export async function price(url: string): Promise<RunResult<{ price: number }> | string> {
  await using f = fleet({ redis: url });
  const workers: WorkerIdentity[] = await f.workers();
  try {
    return await f.run<{ seed: number }, { price: number }>({ module: '/jobs/option.js', shards: [{ seed: 1 }], queue: `gpukit.${workers[0]?.kind ?? 'any'}` });
  } catch (e) {
    return e instanceof FleetJobError ? e.failures.map((x) => x.error).join('; ') : String(e);
  }
}
if (typeof fleet !== 'function') throw new Error('pack-check: gpukit/fleet exports no fleet()');
console.log('pack-check: gpukit/fleet resolves from the packed package');
TS
for lib in '"ES2022"' '"ES2022", "DOM"'; do
  cat >tsconfig.json <<JSON
{
  "compilerOptions": {
    "target": "ES2022", "lib": [$lib], "module": "NodeNext", "moduleResolution": "NodeNext",
    "types": ["node"], "strict": true, "noUncheckedIndexedAccess": true, "exactOptionalPropertyTypes": true,
    "skipLibCheck": false, "outDir": "out"
  },
  "files": ["index.ts", "fleet.ts"]
}
JSON
  echo "pack-check: tsc, strict, no skipLibCheck, lib [$lib]"
  "$tsc" -p tsconfig.json
done
echo "pack-check: run a kernel from the installed package"
node out/index.js
node out/fleet.js
echo "pack-check: the installed CLI starts (its bench imports resolve from production dependencies)"
node_modules/.bin/gpukit info >/dev/null
node_modules/.bin/gpukit bench --help >/dev/null
echo "pack-check: ok"
