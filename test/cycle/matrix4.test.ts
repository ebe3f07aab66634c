/**
 * The n = 4 deviation matrix on 4 real chains: every row (each party as deviator × stop after step
 * 0 … 11, plus the happy path; 49 rows) driven by the SDK's `decideCycleNext`, exact holdings against the
 * model. Distinct principals and compensations (so an arc mixed up with another shows), mixed assets.
 */
import { U } from "./harness";
import { defineMatrix } from "./matrix";

describe("cycle matrix n = 4 (real chains, SDK rule)", function () {
  defineMatrix(4, {
    principals: [100n * U, 90n * U, 110n * U, 120n * U],
    compensations: [1n * U, 2n * U, 3n * U, 1n * U],
    assets: [{ principal: "token" }, { principal: "native" }, { principal: "token", premium: "native" }, { principal: "native" }],
  });
});
