import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

/** The leg escrow: one deployment per chain, no constructor arguments. */
export default buildModule("HedgeSwapEscrow", (m) => {
  const escrow = m.contract("HedgeSwapEscrow");
  return { escrow };
});
