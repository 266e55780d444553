import { z } from "zod";
import { parseJsonWith } from "../util/json.js";
import { makeDataset, type Dataset } from "./dataset.js";

const DataJson = z.object({
  x: z.array(z.union([z.number(), z.array(z.number())])).min(1),
  y: z.array(z.union([z.number(), z.array(z.number())])).min(1),
});

/** Parse `{"x": [[…], …], "y": [[…], …]}` (scalars allowed for 1-D columns). */
export function parseDataJson(text: string, name = "json"): Dataset {
  const { x, y } = parseJsonWith(DataJson, text, name, 'expected {"x": [[numbers]], "y": [[numbers]]}');
  return makeDataset(x as number[][], y as number[][], undefined, name);
}

/** Serialise a data set as JSON rows. */
export function formatDataJson(data: Dataset): string {
  const rows = (a: Float64Array, c: number): number[][] => Array.from({ length: data.n }, (_, i) => Array.from(a.subarray(i * c, (i + 1) * c)));
  return JSON.stringify({ x: rows(data.x, data.d), y: rows(data.y, data.k) });
}
