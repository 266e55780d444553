import type { Command } from "commander";
import { saveNet } from "../../io/files.js";
import { activation } from "../../nn/activations.js";
import { approximateInsertion } from "../../depth/approximate.js";
import { checkLift, checkLiftOutputs } from "../../depth/checks.js";
import { liftNet, liftedSetDimension } from "../../depth/lift.js";
import { InputError } from "../../util/errors.js";
import { criticalityStatus } from "../../analysis/criticality.js";
import { dataFlag, netFlag, DATA_HELP } from "../common.js";
import { num, realList } from "../args.js";
import { printJson } from "../run.js";
import { reportFlag, reportPoint, writePointReport } from "../report-flag.js";
import { evaluatorBytes, paramCountOf, requireMemory } from "../../util/memory.js";
import { outputOption } from "../output.js";

interface LiftFlags {
  report?: string; net?: string; data?: string; after?: string; width?: string; margin: string; A?: string; c?: string; pieces?: string;
  approximate?: boolean; scale: string; inertia?: boolean; out?: string; json?: boolean;
}

/** ±∞ survive JSON as the strings "inf" / "-inf". */
function jsonBound(x: number): number | string {
  return x === Infinity ? "inf" : x === -Infinity ? "-inf" : x;
}

/** `embedscape lift`: critical lifting (SPEC §4.2) — insert a layer that is affine on the data, outputs and criticality preserved. */
export function register(program: Command): void {
  program
    .command("lift")
    .description("insert a hidden layer that acts affinely on the training inputs (critical lifting, SPEC §4.2): same outputs, critical points stay critical")
    .option("--net <file>", "the shallower net θ_A")
    .option("--data <spec>", `training ${DATA_HELP}`)
    .option("--after <q>", "insert after layer q (0 = right after the input, L−1 = right before the output)")
    .option("--width <m>", "width m′ of the inserted layer")
    .option("--margin <M>", "distance of every inserted pre-activation to the kinks", "1")
    .option("--A <list>", "inserted weights A, m′×m_q row-major, comma-separated (default: identity rows)")
    .option("--c <list>", "inserted bias c (default: shifted into the affine piece with the margin)")
    .option("--pieces <list>", "per inserted neuron, index of the activation's affine piece (ReLU: 0 = dead, 1 = active)")
    .option("--approximate", "smooth activations (tanh, sigmoid, softplus, gelu): near-identity insertion, APPROXIMATE, errors measured")
    .option("--scale <s>", "scale of the near-identity insertion", "1e-3")
    .option("--inertia", "also compute the Hessian inertia before and after (dense; default when the deep net has ≤ 800 parameters)")
    .addOption(outputOption("--out <file>", "where to write the deeper net", "net"))
    .addOption(outputOption("--report <file.html>", "write an HTML report: shallower and deeper net side by side (outputs, spectra with τ, inertia)", "html"))
    .option("--json", "print the result as JSON")
    .action(async (f: LiftFlags) => {
      const report = reportFlag(f.report);
      const net = netFlag("--net", f.net);
      const data = dataFlag("--data", f.data, net);
      if (f.after === undefined) throw new InputError("--after is required (layer index q after which to insert)");
      if (f.width === undefined) throw new InputError("--width is required (width of the inserted layer)");
      const after = num("--after", f.after, { int: true, min: 0 });
      const width = num("--width", f.width, { int: true, min: 1 });
      // the deeper net and the evaluators that check it, estimated before anything of that size is allocated
      const deep = [...net.arch.widths.slice(0, after + 1), width, ...net.arch.widths.slice(after + 1)];
      requireMemory(2 * evaluatorBytes(deep, data.n) + 8 * 6 * paramCountOf(deep), `lift --width ${width} (net ${deep.join("-")} on ${data.n} samples)`);
      const act = activation(net.arch.activation);
      if (f.approximate || act.affinePieces.length === 0) {
        if (!f.approximate) throw new InputError(`activation ${act.name} has no affine piece, so no exact critical lifting exists; pass --approximate for a near-identity insertion with measured error`);
        const r = approximateInsertion(net, data, { after, width, scale: num("--scale", f.scale, { positive: true }) });
        if (f.out) saveNet(f.out, r.net);
        const critical = criticalityStatus(r.gradNormShallow, "the shallower net", "the insertion cannot produce a critical deeper net from it; the ‖∇R‖ comparison below is about a non-critical point.");
        const res = { critical, approximate: true, exact: false, widths: r.net.arch.widths, after, width, scale: r.scale, outputErrorTrain: r.outputErrorTrain, outputErrorBeyond: r.outputErrorBeyond, lossShallow: r.lossShallow, lossDeep: r.lossDeep, gradNormShallow: r.gradNormShallow, gradNormDeep: r.gradNormDeep, out: f.out ?? null };
        if (report) {
          await writePointReport(report, {
            title: `lift (approximate): ${net.arch.widths.join("-")} → ${res.widths.join("-")}`,
            lead: `APPROXIMATE near-identity insertion after layer ${after} (${act.name} has no affine piece); errors measured.`,
            data, points: [reportPoint("shallower", net, data), reportPoint("deeper", r.net, data)],
            results: { head: ["quantity", "value"], rows: [["max |Δf| on data", res.outputErrorTrain], ["max |Δf| beyond", res.outputErrorBeyond], ["R shallow → deep", `${res.lossShallow} → ${res.lossDeep}`]] },
          });
        }
        if (f.json) printJson(res);
        else process.stdout.write(`${report ? `report written to ${report}\n` : ""}${critical.note ? `WARNING: ${critical.note}\n` : ""}APPROXIMATE near-identity insertion (${act.name} has no affine piece): ${res.widths.join("-")}\nmax |Δf| on data ${res.outputErrorTrain.toExponential(3)}, beyond ${res.outputErrorBeyond.toExponential(3)}\nR ${res.lossShallow} → ${res.lossDeep}; ‖∇R‖ ${res.gradNormShallow.toExponential(3)} → ${res.gradNormDeep.toExponential(3)}\n${f.out ? `written to ${f.out}\n` : ""}`);
        return;
      }
      const lift = liftNet(net, data, {
        after, width, margin: num("--margin", f.margin, { positive: true }),
        A: realList("--A", f.A), c: realList("--c", f.c), pieces: realList("--pieces", f.pieces),
      });
      const withInertia = f.inertia ?? lift.net.theta.length <= 800;
      const chk = withInertia ? checkLift(net, lift.net, data) : checkLiftOutputs(net, lift.net, data);
      const dim = liftedSetDimension(lift);
      const critical = criticalityStatus(chk.gradNormShallow, "the shallower net",
        "critical lifting maps critical points to critical points; from this θ the deeper net is not critical either, and the inertia comparison below is not a statement about the landscape.");
      if (f.out) saveNet(f.out, lift.net);
      const res = {
        critical,
        exact: lift.exact, approximate: false, widths: lift.net.arch.widths, after, width, margin: lift.margin, neuronMargins: lift.neuronMargins,
        violations: lift.violations, pieces: lift.pieces.map((p) => ({ ...p, lo: jsonBound(p.lo), hi: jsonBound(p.hi) })), holdsEverywhere: lift.holdsEverywhere, factorResidual: lift.factorResidual,
        A: lift.A, c: lift.c, B: lift.B, d: lift.d,
        liftedSet: { dimension: dim.dimension, parameters: dim.parameters, equalityConstraints: dim.constraints, constraintRank: dim.constraintRank, collapseSurjective: dim.collapseSurjective, strictInequalities: dim.inequalities(data.n) },
        checks: chk, out: f.out ?? null,
      };
      if (report) {
        const limit = withInertia ? Infinity : 0;
        await writePointReport(report, {
          title: `lift: ${net.arch.widths.join("-")} → ${lift.net.arch.widths.join("-")}`,
          lead: `Critical lifting: a width-${width} layer inserted after layer ${after}, affine on the data with margin ${lift.margin.toPrecision(6)} to the kinks.`,
          data, points: [reportPoint("shallower", net, data, limit), reportPoint("deeper", lift.net, data, limit)],
          results: {
            head: ["quantity", "value"],
            rows: [
              ["max |Δf| on data", chk.outputDiffTrain], [`max |Δf| on ${chk.probeCount} probes beyond`, chk.outputDiffBeyond],
              ["‖∇R‖ shallow → deep", `${chk.gradNormShallow.toExponential(3)} → ${chk.gradNormDeep.toExponential(3)}`],
              ["affine beyond the data", lift.holdsEverywhere ? "yes (every input)" : "only guaranteed on the data"],
              ["lifted set dimension", dim.dimension],
            ],
          },
          notes: withInertia ? [] : ["Inertia not computed (pass --inertia)."],
        });
      }
      if (f.json) printJson(res);
      else {
        const c = chk as Partial<ReturnType<typeof checkLift>> & ReturnType<typeof checkLiftOutputs>;
        process.stdout.write([
          ...(critical.note ? [`WARNING: ${critical.note}`] : []),
          `critical lifting ${net.arch.widths.join("-")} → ${lift.net.arch.widths.join("-")} (inserted after layer ${after}, width ${width})`,
          `margin to the kinks ${lift.margin.toPrecision(6)}; affine beyond the data: ${lift.holdsEverywhere ? "yes (every input)" : "only guaranteed on the data"}`,
          `max |Δf| on data ${c.outputDiffTrain.toExponential(3)}, on ${c.probeCount} probes beyond ${c.outputDiffBeyond.toExponential(3)}`,
          `‖∇R‖ ${c.gradNormShallow.toExponential(3)} → ${c.gradNormDeep.toExponential(3)}`,
          c.inertiaShallow && c.inertiaDeep ? `inertia (${c.inertiaShallow.neg}, ${c.inertiaShallow.zero}, ${c.inertiaShallow.pos}) → (${c.inertiaDeep.neg}, ${c.inertiaDeep.zero}, ${c.inertiaDeep.pos})` : "inertia not computed (use --inertia)",
          `lifted set: dimension ${dim.dimension} (${dim.parameters} new parameters, ${dim.constraintRank} independent equations, ${dim.inequalities(data.n)} strict inequalities)`,
          ...(f.out ? [`written to ${f.out}`] : []),
          ...(report ? [`report written to ${report}`] : []),
        ].join("\n") + "\n");
      }
    });
}
