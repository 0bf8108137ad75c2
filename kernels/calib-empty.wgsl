// calib-empty: the smallest useful dispatch, one workgroup writing one value — what a round trip costs
//   for `gpukit bench` (submit, run, onSubmittedWorkDone) when the kernel itself does nothing.
//
// Bindings (@group(0)):
//   0  out     array<T>, read_write   at least one element
// Dispatch: one workgroup.
// Overrides: WG (workgroup size).
alias T = f32;

override WG: u32 = 1;

@group(0) @binding(0) var<storage, read_write> out: array<T>;

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32) {
  if (lid == 0u) { out[0] = out[0] + T(1); }
}
