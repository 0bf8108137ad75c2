// lib/scan-block: what the block passes of the reduce-then-scan prefix sum share (scan-block-reduce,
// scan-block-apply): the element type, the input x and the block geometry (lib/serial-block).
// BLOCK (elements per invocation, a multiple of 4) must be the same in both passes of one scan.
alias T = f32;

override WG: u32 = 64;
override BLOCK: u32 = 1024;

@group(0) @binding(0) var<storage, read> x: array<vec4<T>>;
//#import serial-block
