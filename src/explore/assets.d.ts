/** Modules made by tools/build-explorer.mjs for the page. */
declare module "embedscape:presets" {
  const table: Record<string, { n: number; d: number; k: number; x: number[]; y: number[]; name: string }>;
  export default table;
}
