/** How a figure was measured, so nobody mistakes a wall-clock estimate for a GPU timestamp. */
export type TimingMethod = 'gpu-timestamps' | 'wall-clock-submitted-work-done' | 'wall-clock';

/** One phase of a profile: its time, how it was measured, and what it moved or ran. */
export interface PhaseTiming {
  readonly ms: number;
  readonly method: TimingMethod;
  /** What the method means for this phase, in words. */
  readonly note: string;
  readonly bytes?: number;
  readonly count?: number;
}

/** GPU time per kernel label inside a profile. */
export interface KernelTiming {
  /** The kernel's label (`op|dtype|…`). */
  readonly label: string;
  /** How many times it was dispatched inside the profile. */
  readonly dispatches: number;
  /** Its GPU time from timestamp queries; NaN (unknown) where the adapter has none (Dawn's GLES backend). */
  readonly ms: number;
}

/** What `device.profile()` returns: the phase breakdown of everything that ran inside it. */
export interface Profile<T = unknown> {
  readonly result: T;
  readonly phases: {
    readonly compile: PhaseTiming;
    readonly upload: PhaseTiming;
    readonly kernel: PhaseTiming;
    readonly download: PhaseTiming;
    /** Wall time not in the other phases: JS, encoding, submission, waiting. */
    readonly host: PhaseTiming;
    readonly wall: PhaseTiming;
  };
  readonly kernels: readonly KernelTiming[];
  /** The adapter the figures describe (software adapters are labelled as such). */
  readonly adapter: string;
  readonly isSoftware: boolean;
}

/** What the device, arrays and kernels report to a profile while it records. */
export interface ProfileSink {
  compile(ms: number): void;
  upload(bytes: number, ms: number): void;
  download(bytes: number, ms: number): void;
  /** An op's run on the host engine's queue (`dispatches` 1 when it is called, `ms` for each task of it). */
  kernel?(label: string, ms: number, dispatches: number): void;
}

/** Milliseconds from performance.now(), the clock every wall-clock figure uses. */
export function now(): number {
  return performance.now();
}
