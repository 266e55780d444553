import { z } from "zod";
import { parseJsonWith, stringifyExact } from "../util/json.js";
import { makeDataset, type Dataset } from "./dataset.js";

/** A column: all numbers (one value per row) or all non-empty lists of numbers; never a mixture. */
const Column = z.union([z.array(z.number()).min(1), z.array(z.array(z.number()).min(1)).min(1)], { error: "expected a list of numbers or a list of lists of numbers (not a mixture)" });
const DataJson = z.object({ x: Column, y: Column });

/**
 * Parse `{"x": [[…], …], "y": [[…], …]}` (a column of plain numbers allowed for 1-D x or y; every row of a column
 * has the same form). A leading byte-order mark is accepted (as by every text reader).
 */
export function parseDataJson(text: string, name = "json"): Dataset {
  const { x, y } = parseJsonWith(DataJson, text, name, 'expected {"x": [[numbers]], "y": [[numbers]]}');
  return makeDataset(x as number[][], y as number[][], undefined, name);
}

/** Serialise a data set as JSON rows. */
export function formatDataJson(data: Dataset): string {
  const rows = (a: Float64Array, c: number): number[][] => Array.from({ length: data.n }, (_, i) => Array.from(a.subarray(i * c, (i + 1) * c)));
  return stringifyExact({ x: rows(data.x, data.d), y: rows(data.y, data.k) });
}
