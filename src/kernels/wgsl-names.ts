/**
 * Names a builder argument cannot take because WGSL already gives them a meaning: keywords, reserved
 * words, predeclared types and type aliases, built-in functions and enumerants. WGSL lets a declaration
 * shadow a predeclared name, so `x: vec4` or `f32: T[]` would not fail where the user wrote it but in the
 * code gpukit generates around it; refusing them up front names the argument instead.
 * Lists follow the WGSL spec (W3C CR, 2024): §15.3 keywords, §15.4 reserved words, §17 built-in functions.
 */

const KEYWORDS = 'alias break case const const_assert continue continuing default diagnostic discard else enable false fn for if let loop override requires return struct switch true var while';

const RESERVED_WORDS =
  'NULL Self abstract active alignas alignof as asm asm_fragment async attribute auto await become cast catch class co_await co_return co_yield coherent column_major common compile compile_fragment concept const_cast consteval constexpr constinit crate debugger decltype delete demote demote_to_helper do dynamic_cast enum explicit export extends extern external fallthrough filter final finally friend from fxgroup get goto groupshared highp impl implements import inline instanceof interface layout lowp macro macro_rules match mediump meta mod module move mut mutable namespace new nil noexcept noinline nointerpolation non_coherent noncoherent noperspective null nullptr of operator package packoffset partition pass patch pixelfragment precise precision premerge priv protected pub public readonly ref regardless register reinterpret_cast require resource restrict self set shared sizeof smooth snorm static static_assert static_cast std subroutine super target template this thread_local throw trait try type typedef typeid typename typeof union unless unorm unsafe unsized use using varying virtual volatile wgsl where with writeonly yield';

const TYPES =
  'bool f16 f32 i32 u32 vec2 vec3 vec4 mat2x2 mat2x3 mat2x4 mat3x2 mat3x3 mat3x4 mat4x2 mat4x3 mat4x4 array atomic ptr sampler sampler_comparison ' +
  'texture_1d texture_2d texture_2d_array texture_3d texture_cube texture_cube_array texture_multisampled_2d texture_depth_multisampled_2d texture_external ' +
  'texture_storage_1d texture_storage_2d texture_storage_2d_array texture_storage_3d texture_depth_2d texture_depth_2d_array texture_depth_cube texture_depth_cube_array';

/** vec2i ... vec4h and mat2x2f ... mat4x4h. */
function typeAliases(): string[] {
  const out: string[] = [];
  for (const n of [2, 3, 4]) for (const s of ['i', 'u', 'f', 'h']) out.push(`vec${n}${s}`);
  for (const c of [2, 3, 4]) for (const r of [2, 3, 4]) for (const s of ['f', 'h']) out.push(`mat${c}x${r}${s}`);
  return out;
}

const BUILTIN_FUNCTIONS =
  'bitcast all any select arrayLength abs acos acosh asin asinh atan atanh atan2 ceil clamp cos cosh countLeadingZeros countOneBits countTrailingZeros cross degrees determinant distance dot dot4U8Packed dot4I8Packed exp exp2 extractBits faceForward firstLeadingBit firstTrailingBit floor fma fract frexp insertBits inverseSqrt ldexp length log log2 max min mix modf normalize pow quantizeToF16 radians reflect refract reverseBits round saturate sign sin sinh smoothstep sqrt step tan tanh transpose trunc ' +
  'dpdx dpdxCoarse dpdxFine dpdy dpdyCoarse dpdyFine fwidth fwidthCoarse fwidthFine ' +
  'textureDimensions textureGather textureGatherCompare textureLoad textureNumLayers textureNumLevels textureNumSamples textureSample textureSampleBias textureSampleCompare textureSampleCompareLevel textureSampleGrad textureSampleLevel textureSampleBaseClampToEdge textureStore ' +
  'atomicLoad atomicStore atomicAdd atomicSub atomicMax atomicMin atomicAnd atomicOr atomicXor atomicExchange atomicCompareExchangeWeak ' +
  'pack4x8snorm pack4x8unorm pack4xI8 pack4xU8 pack4xI8Clamp pack4xU8Clamp pack2x16snorm pack2x16unorm pack2x16float unpack4x8snorm unpack4x8unorm unpack4xI8 unpack4xU8 unpack2x16snorm unpack2x16unorm unpack2x16float ' +
  'storageBarrier textureBarrier workgroupBarrier workgroupUniformLoad ' +
  'subgroupAdd subgroupExclusiveAdd subgroupInclusiveAdd subgroupAll subgroupAnd subgroupAny subgroupBallot subgroupBroadcast subgroupBroadcastFirst subgroupElect subgroupMax subgroupMin subgroupMul subgroupExclusiveMul subgroupInclusiveMul subgroupOr subgroupShuffle subgroupShuffleDown subgroupShuffleUp subgroupShuffleXor subgroupXor quadBroadcast quadSwapDiagonal quadSwapX quadSwapY';

/** Access modes, address spaces, texel formats and other predeclared enumerants. */
const ENUMERANTS =
  'read write read_write function private workgroup uniform storage handle ' +
  'rgba8unorm rgba8snorm rgba8uint rgba8sint rgba16uint rgba16sint rgba16float r32uint r32sint r32float rg32uint rg32sint rg32float rgba32uint rgba32sint rgba32float bgra8unorm';

const split = (s: string): string[] => s.split(/\s+/).filter((w) => w !== '');

/** Every name WGSL reserves or predeclares, with what it is (for the error message). */
export const WGSL_NAMES: ReadonlyMap<string, string> = new Map<string, string>([
  ...split(ENUMERANTS).map((w): [string, string] => [w, 'a WGSL enumerant']),
  ...split(BUILTIN_FUNCTIONS).map((w): [string, string] => [w, 'a WGSL built-in function']),
  ...[...split(TYPES), ...typeAliases()].map((w): [string, string] => [w, 'a WGSL type']),
  ...split(RESERVED_WORDS).map((w): [string, string] => [w, 'a WGSL reserved word']),
  ...split(KEYWORDS).map((w): [string, string] => [w, 'a WGSL keyword']),
]);
