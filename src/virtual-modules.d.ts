/** The isolated LF worker's bundled source (scripts/lf-isolated-plugin.ts). */
declare module 'virtual:shoal-lf-isolated-worker' {
  const source: string;
  export default source;
}
