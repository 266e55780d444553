import { runCell, type CellResult, type CellTask } from "./cells.js";

/** Piscina worker entry: one atlas cell per task (the pure cell → result function). */
export default function (task: CellTask): CellResult {
  return runCell(task);
}
