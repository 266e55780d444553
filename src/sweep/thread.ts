/**
 * The worker-thread entry of the local runner (piscina): validates and runs one cell payload, returns its outcome.
 * The same validation as a queue job's, so a local and a distributed run of a sweep execute identical code.
 * A refused payload comes back as `{ rejected }` (an Error's class does not survive the thread boundary).
 */
import { executeCell, PayloadError, type CellOutcome } from "./cell.js";

export default async function runCellTask(task: { payload: unknown; key: string }): Promise<CellOutcome | { rejected: string }> {
  try {
    return await executeCell(task.payload, task.key);
  } catch (e) {
    if (e instanceof PayloadError) return { rejected: e.message };
    throw e;
  }
}
