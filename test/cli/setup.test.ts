// `gpukit setup` on fake systems: a fake os-release, a fake /etc/apt tree, and fake apt-get, dpkg-query and
// sudo first on PATH (the fakes keep an installed-package list in a file), so nothing is really installed.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, expect, test } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const tsx = join(root, 'node_modules', '.bin', 'tsx');
let dir = '';

const BOOKWORM = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_CODENAME=bookworm\n';
const NOBLE = 'PRETTY_NAME="Ubuntu 24.04 LTS"\nID=ubuntu\nID_LIKE=debian\nVERSION_CODENAME=noble\n';
const JAMMY = 'PRETTY_NAME="Ubuntu 22.04 LTS"\nID=ubuntu\nID_LIKE=debian\nVERSION_CODENAME=jammy\n';
const FEDORA = 'NAME="Fedora Linux"\nID=fedora\nPRETTY_NAME="Fedora Linux 40 (Workstation Edition)"\n';

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gpukit-setup-'));
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  mkdirSync(join(dir, 'apt', 'sources.list.d'), { recursive: true });
  writeFileSync(join(dir, 'apt', 'sources.list.d', 'debian.sources'),
    'Types: deb\nURIs: http://mirror.example/debian\nSuites: bookworm bookworm-updates\nComponents: main\n\nTypes: deb\nURIs: http://mirror.example/debian-security\nSuites: bookworm-security\n');
  writeFileSync(join(dir, 'db'), '');
  writeFileSync(join(dir, 'apt.log'), '');
  // dpkg-query -W -f=... PKG: "install ok installed VERSION" for a package in the db, else exit 1.
  writeFileSync(join(bin, 'dpkg-query'), `#!/bin/sh
for p; do :; done
v=$(awk -v p="$p" '$1 == p { print $2 }' "${dir}/db")
[ -n "$v" ] || { echo "dpkg-query: no packages found matching $p" >&2; exit 1; }
echo "install ok installed $v"
`);
  // apt-get: logs its arguments; install adds the packages (Mesa from backports when -t bookworm-backports).
  writeFileSync(join(bin, 'apt-get'), `#!/bin/sh
echo "apt-get $*" >> "${dir}/apt.log"
[ "$1" = install ] || exit 0
mesa=\${FAKE_DEFAULT_MESA:-22.3.6-1+deb12u1}
case " $* " in *" bookworm-backports "*) mesa=25.0.7-2~bpo12+1 ;; esac
for a; do case "$a" in -*|install|bookworm-backports) ;; mesa-vulkan-drivers) echo "$a $mesa" >> "${dir}/db" ;; *) echo "$a 1.0-1" >> "${dir}/db" ;; esac; done
`);
  writeFileSync(join(bin, 'sudo'), '#!/bin/sh\nexec "$@"\n');
  for (const f of ['dpkg-query', 'apt-get', 'sudo']) chmodSync(join(bin, f), 0o755);
});
afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

function setup(osRelease: string, args: string[] = [], env: Record<string, string> = {}): { status: number | null; out: string; err: string } {
  writeFileSync(join(dir, 'os-release'), osRelease);
  const r = spawnSync(tsx, ['src/cli/main.ts', 'setup', ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, PATH: `${join(dir, 'bin')}:${process.env['PATH'] ?? ''}`, GPUKIT_OS_RELEASE: join(dir, 'os-release'), GPUKIT_APT_DIR: join(dir, 'apt'), ...env },
  });
  return { status: r.status, out: r.stdout, err: r.stderr };
}
const aptLog = (): string => readFileSync(join(dir, 'apt.log'), 'utf8');
const backports = (): string => join(dir, 'apt', 'sources.list.d', 'gpukit-bookworm-backports.list');

test('on bookworm it adds backports from the configured mirror, installs lavapipe from it, and a second run changes nothing', () => {
  const first = setup(BOOKWORM);
  expect(first.status, first.err).toBe(0);
  expect(readFileSync(backports(), 'utf8')).toBe('deb http://mirror.example/debian bookworm-backports main\n');
  expect(aptLog()).toBe(
    'apt-get update -qq\n' +
    'apt-get install -y -qq --no-install-recommends libvulkan1 libegl1 libgles2\n' +
    'apt-get install -y -qq --no-install-recommends -t bookworm-backports mesa-vulkan-drivers\n');
  expect(first.out).toContain('gpukit setup: added bookworm-backports from http://mirror.example/debian');
  expect(first.out).toContain('gpukit setup: installed mesa-vulkan-drivers 25.0.7-2~bpo12+1 (lavapipe) and libvulkan1 libegl1 libgles2');
  const db = readFileSync(join(dir, 'db'), 'utf8');
  const list = readFileSync(backports(), 'utf8');

  const second = setup(BOOKWORM);
  expect(second.status, second.err).toBe(0);
  expect(second.out).toBe('gpukit setup: already installed: mesa-vulkan-drivers 25.0.7-2~bpo12+1 (lavapipe), libvulkan1 libegl1 libgles2; nothing to do\n');
  expect(aptLog().split('\n').filter((l) => l !== '')).toHaveLength(3); // no apt-get call the second time
  expect(readFileSync(join(dir, 'db'), 'utf8')).toBe(db);
  expect(readFileSync(backports(), 'utf8')).toBe(list);
});

test('--dry-run prints the commands and runs none', () => {
  const r = setup(BOOKWORM, ['--dry-run']);
  expect(r.status, r.err).toBe(0);
  expect(r.out).toContain(`would add bookworm-backports from http://mirror.example/debian to ${backports()}`);
  expect(r.out).toContain('would run: apt-get install -y -qq --no-install-recommends -t bookworm-backports mesa-vulkan-drivers');
  expect(r.out).toContain('dry run: nothing was installed');
  expect(aptLog()).toBe('');
  expect(existsSync(backports())).toBe(false);
});

test('on Ubuntu 24.04 Mesa comes from the release itself; on a release whose Mesa is older than 24 it fails saying so', () => {
  const noble = setup(NOBLE, [], { FAKE_DEFAULT_MESA: '24.2.8-1ubuntu1~24.04.1' });
  expect(noble.status, noble.err).toBe(0);
  expect(aptLog()).toContain('apt-get install -y -qq --no-install-recommends mesa-vulkan-drivers\n');
  expect(aptLog()).not.toContain('backports');
  expect(existsSync(backports())).toBe(false);
  expect(noble.out).toContain('installed mesa-vulkan-drivers 24.2.8-1ubuntu1~24.04.1 (lavapipe)');

  writeFileSync(join(dir, 'db'), '');
  const jammy = setup(JAMMY, [], { FAKE_DEFAULT_MESA: '1:23.2.1-1ubuntu3.1~22.04.2' });
  expect(jammy.status).toBe(1);
  expect(jammy.err).toContain('Ubuntu 22.04 LTS has mesa-vulkan-drivers 1:23.2.1-1ubuntu3.1~22.04.2; Dawn needs Mesa >= 24');
});

test('on a system that is not Debian or Ubuntu it refuses, says what to install, and runs nothing', () => {
  const r = setup(FEDORA);
  expect(r.status).toBe(1);
  expect(r.err).toContain('this installs the software adapter on Debian and Ubuntu only; this system is Fedora Linux 40 (Workstation Edition)');
  expect(r.err).toContain('Nothing was installed');
  expect(r.err).toContain('sudo dnf install mesa-vulkan-drivers vulkan-loader mesa-libEGL');
  expect(r.err).toContain('npx gpukit doctor');
  expect(aptLog()).toBe('');
  // No os-release at all is refused the same way.
  rmSync(join(dir, 'os-release'));
  const none = spawnSync('bash', [join(root, 'scripts', 'setup-software-gpu.sh')], { encoding: 'utf8', env: { ...process.env, GPUKIT_OS_RELEASE: join(dir, 'os-release') } });
  expect(none.status).toBe(1);
  expect(none.stderr).toContain(`this system is unknown (no ${join(dir, 'os-release')})`);
});
