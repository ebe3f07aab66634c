/**
 * The n = 4 deviation matrix driven by coordinators: every row (each party as deviator × stop after step
 * 0 … 11, plus the happy path; 49 rows) on 4 real chains, each party driven by its own `Coordinator`
 * (only its own key, the leader's with the seed; the deviator's with `faults.haltAfterStep`), exact
 * holdings against the model. The terms and assets are matrix4.test.ts's.
 *
 * In process, not one process per party: the n = 3 matrix (matrix3.coordinator.test.ts) runs with
 * processes; here the rounds are `tick()`s the driver calls, which costs the 2 shared cores far less.
 * A row takes 7-12 s (the load of the shared cores decides), the whole matrix 6-10 minutes: `HEDGESWAP_MATRIX=all` (`npm run
 * test:matrix`) runs all 49 rows; without it (`npm test`) the happy path and one row per party (its stop
 * after its escrow: the leader withholds s, the others never redeem or never escrow further).
 */
import { coordinatorPool, matrixUpcoming } from "./coordinatorDriver";
import type { Deviation } from "./model";
import { U } from "./harness";
import { defineMatrix } from "./matrix";

const ALL = process.env.HEDGESWAP_MATRIX === "all";
/** Without HEDGESWAP_MATRIX=all: the happy path and each party stopping after its own escrow (step 5 + i). */
const REPRESENTATIVE = (d: Deviation | undefined) => d === undefined || d.afterStep === 5 + d.party;

describe(`cycle matrix n = 4 (real chains, one in-process coordinator per party${ALL ? "" : "; HEDGESWAP_MATRIX=all for every row"})`, function () {
  defineMatrix(
    4,
    {
      principals: [100n * U, 90n * U, 110n * U, 120n * U],
      compensations: [1n * U, 2n * U, 3n * U, 1n * U],
      assets: [{ principal: "token" }, { principal: "native" }, { principal: "token", premium: "native" }, { principal: "native" }],
    },
    {
      rowTimeoutMs: 180_000,
      ...(ALL ? {} : { only: REPRESENTATIVE }),
      drivers: (w) => {
        const pool = coordinatorPool(w, { mode: "inProcess", upcoming: matrixUpcoming(4) });
        const s = pool.stats;
        return { factory: pool.factory, stop: () => pool.stop(), summary: () => `${s.starts} coordinators started, ${s.acts} acts, ${s.waits} rounds, ${s.lostSettleRaces} settlements refused after another's landed first` };
      },
    },
  );
});
