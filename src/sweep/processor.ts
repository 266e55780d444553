/**
 * The BullMQ sandboxed processor (run in a worker thread by `startWorker`): the job's payload is untrusted, so
 * `executeCell` validates it (envelope, executor schema, version, key = job id) before anything runs; a refused
 * payload fails the job at once as unrecoverable (no retries), with the reason stored in the job.
 */
import { UnrecoverableError, type SandboxedJob } from "bullmq";
import { executeCell, PayloadError, type CellOutcome } from "./cell.js";

export default async function processCell(job: SandboxedJob): Promise<CellOutcome> {
  try {
    return await executeCell(job.data, job.id);
  } catch (e) {
    if (e instanceof PayloadError) throw new UnrecoverableError(e.message);
    throw e;
  }
}
