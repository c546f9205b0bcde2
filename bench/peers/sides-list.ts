/** The sides of the peers bench by name (no library imports: the Node driver and the tests read it). */
export const SIDES = ['ours', 'tfjs-webgpu', 'tfjs-wasm', 'jax-webgpu', 'jax-wasm'] as const;
export type SideName = (typeof SIDES)[number];
