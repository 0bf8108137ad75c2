import { readFileSync } from 'node:fs';
import { freemem } from 'node:os';
import { OutOfMemoryError } from '../errors.js';

/**
 * How much host memory this process may still take, and what bounds it: the smallest of the memory the
 * kernel says is available (`MemAvailable`), the room left under a cgroup memory limit (v2 `memory.max`
 * less `memory.current`, v1 `memory.limit_in_bytes` less `memory.usage_in_bytes`) and the room left under
 * `ulimit -v` (the address-space limit less the process's `VmSize`). Each is read from /proc or /sys;
 * one that cannot be read (another OS, no cgroup) is left out, and `os.freemem()` stands in for
 * `MemAvailable`.
 */
export interface HostRoom {
  readonly bytes: number;
  /** What bounded it, for messages: `MemAvailable`, `cgroup memory.max`, `ulimit -v`... */
  readonly basis: string;
}

/** Reads a small file, or undefined when it is missing or unreadable. */
function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** A byte count in a cgroup file; undefined for `max`, an unreadable file or a value that means no limit. */
function cgroupBytes(path: string): number | undefined {
  const t = readText(path)?.trim();
  if (t === undefined || !/^\d+$/.test(t)) return undefined;
  const v = Number(t);
  // cgroup v1 writes "no limit" as the largest page-aligned signed 64-bit value.
  return v >= 2 ** 60 ? undefined : v;
}

const MEM_AVAILABLE = /^MemAvailable:\s+(\d+) kB/m;
const VM_SIZE = /^VmSize:\s+(\d+) kB/m;

/** A `Field:   123 kB` line of /proc/meminfo or /proc/self/status, in bytes. */
function procField(text: string | undefined, field: RegExp): number | undefined {
  const m = text === undefined ? null : field.exec(text);
  return m === null ? undefined : Number(m[1]) * 1024;
}

/** The limits that bound the host room (undefined: none); they rarely change, so they are read at open. */
interface Limits {
  readonly cgroupV2: number | undefined;
  readonly cgroupV1: number | undefined;
  readonly addressSpace: number | undefined;
}

let limits: Limits | undefined;

function readLimits(): Limits {
  const as = /^Max address space\s+(\d+)/m.exec(readText('/proc/self/limits') ?? '');
  return {
    cgroupV2: cgroupBytes('/sys/fs/cgroup/memory.max'),
    cgroupV1: cgroupBytes('/sys/fs/cgroup/memory/memory.limit_in_bytes'),
    addressSpace: as === null ? undefined : Number(as[1]),
  };
}

/**
 * The host memory this process may still take now (see {@link HostRoom}). `fresh` reads the limits again
 * (a device opening); otherwise those read last are used and only the usage is read (MemAvailable, and
 * the cgroup's usage or VmSize where a limit is set): about 20 µs with no limit set.
 */
export function hostRoom(fresh = false): HostRoom {
  if (fresh || limits === undefined) limits = readLimits();
  const available = procField(readText('/proc/meminfo'), MEM_AVAILABLE);
  const candidates: HostRoom[] = [{ bytes: available ?? freemem(), basis: available !== undefined ? 'MemAvailable' : 'free memory' }];
  const v2cur = limits.cgroupV2 === undefined ? undefined : cgroupBytes('/sys/fs/cgroup/memory.current');
  if (limits.cgroupV2 !== undefined && v2cur !== undefined) candidates.push({ bytes: Math.max(0, limits.cgroupV2 - v2cur), basis: 'cgroup memory.max less memory.current' });
  const v1cur = limits.cgroupV1 === undefined ? undefined : cgroupBytes('/sys/fs/cgroup/memory/memory.usage_in_bytes');
  if (limits.cgroupV1 !== undefined && v1cur !== undefined) candidates.push({ bytes: Math.max(0, limits.cgroupV1 - v1cur), basis: 'cgroup memory.limit_in_bytes less usage' });
  const as = limits.addressSpace === undefined ? undefined : addressSpaceLeft(limits.addressSpace);
  if (as !== undefined) candidates.push({ bytes: as, basis: 'ulimit -v less the process size' });
  return candidates.reduce((a, b) => (b.bytes < a.bytes ? b : a));
}

/** Bytes of address space left under `ulimit -v` (the soft limit less `VmSize`); undefined when unlimited. */
export function addressSpaceRoom(): number | undefined {
  const limit = readLimits().addressSpace;
  return limit === undefined ? undefined : addressSpaceLeft(limit);
}

function addressSpaceLeft(limit: number): number | undefined {
  const vmSize = procField(readText('/proc/self/status'), VM_SIZE);
  return vmSize === undefined ? undefined : Math.max(0, limit - vmSize);
}

/**
 * Address space Dawn needs free to open a device. Under a tighter `ulimit -v`, Dawn and lavapipe do not
 * fail cleanly: with 0.3 GiB left the process crashed (SIGSEGV) inside the adapter request, with 0.25 GiB
 * the Vulkan loader failed (lavapipe on Linux, 2026). An open took 0.7 GiB of address space unconstrained.
 */
export const DAWN_MIN_ADDRESS_SPACE = 2 ** 30;

/** The share of the host's room that gpukit's default memory budget and a readback may take. */
export const HOST_SHARE = 0.75;

/** Bytes as `1.50 GiB` for messages. */
export function gib(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(2)} GiB`;
}

/**
 * Host memory taken in blocks smaller than this is not checked against {@link hostRoom}: a check reads
 * /proc (~60 µs here, under 1 % of a 64 MiB readback), and the budget still counts such blocks.
 */
export const HOST_CHECK_BYTES = 64 * 2 ** 20;

/**
 * Throws {@link OutOfMemoryError} before `bytes` of host memory are taken for `what` (a readback's host copy
 * and staging, a buffer of a software adapter) when they exceed three quarters of what the host can still give now ({@link hostRoom}):
 * past that the kernel's OOM killer, not an error, would end the process, or another one.
 */
export function assertHostRoom(what: string, bytes: number, hint = 'free memory'): void {
  if (bytes < HOST_CHECK_BYTES) return;
  const room = hostRoom();
  if (bytes <= room.bytes * HOST_SHARE) return;
  throw new OutOfMemoryError(`${what}: needs ${bytes} bytes (${gib(bytes)}) of host memory, more than 3/4 of the ${gib(room.bytes)} the host can give now (${room.basis}); ${hint}`);
}
