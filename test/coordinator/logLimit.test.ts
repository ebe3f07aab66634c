/** Rate limiting of repeated log lines, and the level of each sender report. */
import { expect } from "chai";

import { LogLimiter } from "../../src/coordinator/logLimit";
import { senderLogLine } from "../../src/coordinator/engine/senderLog";

describe("LogLimiter", function () {
  it("writes the first line of a key at once, then at most one per interval, counting the ones held back", function () {
    let now = 0;
    const l = new LogLimiter(30_000, () => now);
    expect(l.take("a")).to.deep.equal({ suppressed: 0 });
    now = 1_000;
    expect(l.take("a")).to.equal(undefined);
    expect(l.take("b"), "another key is not held back").to.deep.equal({ suppressed: 0 });
    now = 29_999;
    expect(l.take("a")).to.equal(undefined);
    now = 30_000;
    expect(l.take("a")).to.deep.equal({ suppressed: 2 });
    now = 30_001;
    expect(l.take("a")).to.equal(undefined);
  });

  it("reset: the condition ended, the next line of the key is written at once", function () {
    let now = 0;
    const l = new LogLimiter(30_000, () => now);
    l.take("a");
    now = 10;
    l.reset("a");
    expect(l.take("a")).to.deep.equal({ suppressed: 0 });
  });
});

describe("sender reports: each at the level it deserves (issue 16, defect 6)", function () {
  const lim = () => new LogLimiter(30_000, () => 0);

  it("a reverted or dropped reveal is an error, not tx.dropped at info; the same for other actions stays info", function () {
    expect(senderLogLine("tx.reverted", { reveals: true, action: "redeem" }, "1", lim())).to.include({ level: "error" });
    expect(senderLogLine("tx.dropped", { reveals: true, action: "redeem" }, "1", lim())).to.include({ level: "error" });
    expect(senderLogLine("tx.dropped", { reveals: false, action: "settle" }, "1", lim())).to.deep.equal({ level: "info", msg: "tx.dropped" });
    expect(senderLogLine("tx.reverted", { reveals: false, action: "escrow" }, "1", lim())).to.deep.equal({ level: "info", msg: "tx.reverted" });
  });

  it("a bump stopped at the cap is an error; a cancel is a warning that says whether it replaced a reveal", function () {
    expect(senderLogLine("fee.capReached", { reason: "fee-cap" }, "1", lim())!.level).to.equal("error");
    expect(senderLogLine("tx.cancelling", { reveals: true }, "1", lim())!.msg).to.match(/reveal could land after its deadline/);
    expect(senderLogLine("tx.cancelling", { reveals: false }, "1", lim())!.msg).to.match(/no longer takes/);
  });

  it("a failed broadcast is not 'action not sent': the signed row is kept and broadcast again; repeated ones are rate-limited per chain", function () {
    const l = lim();
    const first = senderLogLine("tx.broadcastFailed", { kept: true }, "1", l)!;
    expect(first.level).to.equal("warn");
    expect(first.msg).to.match(/kept and broadcast again/).and.not.match(/not sent/);
    expect(senderLogLine("tx.broadcastFailed", { kept: true }, "1", l)).to.equal(undefined);
    expect(senderLogLine("tx.broadcastFailed", { kept: true }, "2", l), "another chain").to.not.equal(undefined);
    expect(senderLogLine("fee.capped", {}, "1", l)).to.include({ level: "warn" });
    expect(senderLogLine("fee.capped", {}, "1", l)).to.equal(undefined);
  });
});
