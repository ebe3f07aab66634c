/**
 * §7's n = 3 deviation matrix on 3 real chains: every row (each party as deviator × stop after step
 * 0 … 8, plus the happy path; 28 rows) driven by the SDK's `decideCycleNext`, exact holdings against the
 * model. The terms are §7's table's (a_i = 100, c = 1, so arc premiums 1, 2, 3, in units of 10^15), the
 * assets mixed: arc 0 in chain 0's native coin, arc 1 in chain 1's ERC-20, arc 2 a native principal with
 * an ERC-20 premium.
 */
import { U } from "./harness";
import { defineMatrix } from "./matrix";

describe("cycle matrix n = 3 (§7, real chains, SDK rule)", function () {
  defineMatrix(3, {
    principals: [100n * U, 100n * U, 100n * U],
    compensations: [1n * U, 1n * U, 1n * U],
    assets: [{ principal: "native" }, { principal: "token" }, { principal: "native", premium: "token" }],
  });
});
