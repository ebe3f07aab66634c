/** Rate limiting of repeated log lines: the first at once, then one per interval with the count held back. */
import { expect } from "chai";

import { LogLimiter } from "../../src/coordinator/logLimit";

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
