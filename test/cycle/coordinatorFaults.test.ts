/**
 * The coordinator's fault switches reach every step of a cycle (found while driving §7's matrices and
 * crash tests through coordinators): `faults.haltAfterStep` takes any stop point 0 … 3n−1 of a cycle of
 * up to 8 parties (it stopped at 6, a two-party swap's last step, so no deviator of a 3-cycle could stop
 * after step 7 or 8); `faults.crashAt` names steps up to 24; and the step a transaction row is counted as
 * (the `sent:<step>` crash points, the senders' events) is the cycle's step, not the two-party table's
 * (a 3-cycle's escrow of arc 0, step 4, was "3"; its leader's premium on arc 2, step 1, had no step).
 */
import { expect } from "chai";

import { parseConfig } from "../../src/coordinator/config";
import { stepOf as rowStep } from "../../src/coordinator/chain/txSteps";
import { LEG_NAMES, type TxAction } from "../../src/coordinator/store/types";
import { cycleStepSlots } from "../../src/sdk";
import { stepOf } from "./coordinatorDriver";

const minimal = (faults: Record<string, unknown>) => ({
  dataDir: "/tmp/hedgeswap-faults-unused",
  chains: [{ name: "C0", chainId: "31361", rpcUrl: "http://127.0.0.1:1", escrow: "0x" + "11".repeat(20) }],
  parties: [{ name: "p0", privateKey: "0x" + "22".repeat(32) }],
  faults,
});

describe("coordinator fault switches for cycles", function () {
  it("haltAfterStep accepts every stop point of a cycle of up to 8 parties (0 … 24), and nothing above", function () {
    for (const k of [0, 6, 7, 8, 11, 23, 24]) expect(parseConfig(minimal({ haltAfterStep: k })).faults.haltAfterStep).to.equal(k);
    expect(() => parseConfig(minimal({ haltAfterStep: 25 }))).to.throw(/faults\.haltAfterStep/);
  });

  it("crashAt names any step 1 … 24 (recorded, sent, final) or settle, and nothing else", function () {
    for (const p of ["final:1", "final:7", "final:9", "sent:12", "recorded:24", "sent:settle"]) expect(parseConfig(minimal({ crashAt: p })).faults.crashAt).to.equal(p);
    for (const p of ["final:0", "final:25", "final:07", "sent:x"]) expect(() => parseConfig(minimal({ crashAt: p })), p).to.throw(/faults\.crashAt/);
  });

  it("a transaction row's step is §7's step of its action and arc for every n (two parties: premium B 1 … redeem A 6)", function () {
    expect(["depositPremium:B", "depositPremium:A", "escrow:A", "escrow:B", "redeem:B", "redeem:A"].map((k) => rowStep({ action: k.split(":")[0] as TxAction, leg: k.split(":")[1] as "A" }))).to.deep.equal(["1", "2", "3", "4", "5", "6"]);
    for (let n = 2; n <= 8; n++) {
      for (const slot of cycleStepSlots(n)) {
        const leg = LEG_NAMES[slot.arc]!;
        expect(rowStep({ action: slot.action, leg }, n), `n = ${n}: ${slot.action} on arc ${slot.arc}`).to.equal(String(slot.step));
        expect(stepOf(n, slot.action, slot.arc), `the driver's step, n = ${n}: ${slot.action} on arc ${slot.arc}`).to.equal(slot.step);
      }
    }
    expect(rowStep({ action: "settle", leg: "C" }, 3)).to.equal("settle");
    expect(rowStep({ action: "cancel", leg: "A" }, 3)).to.equal("cancel");
  });
});
