/**
 * Node options per Lambda. Every function gets source maps. The jobs worker, which streams
 * whole-group exports, also caps V8's young generation: by default V8 sizes it from the host's
 * memory, and a large young generation lets megabytes of short-lived strings and buffers pile up
 * between collections. The exports benchmark runs the bundled worker with these same options.
 */
export const NODE_OPTIONS = '--enable-source-maps';
export const JOBS_NODE_OPTIONS = `${NODE_OPTIONS} --max-semi-space-size=8`;
