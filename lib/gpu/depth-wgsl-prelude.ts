/**
 * WGSL helpers the depth kernels share (gaussians-from-depth-wgsl.ts, depth-conditioning-wgsl.ts),
 * prepended to their code so each rule is written once.
 */
export const DEPTH_WGSL_PRELUDE = /* wgsl */ `
// Non-finite values (NaN, ±Inf) are "no measurement"; tested on the bits because WGSL compilers may
// assume comparisons never see NaN.
fn finite(x: f32) -> bool { return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u; }
fn inDepthRange(d: f32, lo: f32, hi: f32) -> bool { return finite(d) && d >= lo && d <= hi; }
/** d when it is a measurement in [lo, hi], else 0 (no measurement). */
fn depthOrZero(d: f32, lo: f32, hi: f32) -> f32 { if (inDepthRange(d, lo, hi)) { return d; } return 0.0; }
`;
