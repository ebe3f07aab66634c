import { ethers, network } from "hardhat";
import { hashlockOf, NATIVE, toLegStruct } from "../src/sdk/leg";
import { PremiumMode } from "../src/sdk/timelocks";
async function main() {
  const [alice, bob] = await ethers.getSigners();
  const escrow = await ethers.deployContract("HedgeSwapEscrow");
  const t = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
  const mk = (s: string) => toLegStruct({ escrower: alice!.address, redeemer: bob!.address, hashlock: hashlockOf(s), token: NATIVE, amount: ethers.parseEther("1.5"), premiumToken: NATIVE, premiumAmount: 0n, timelocks: { premiumDeadline: 0n, escrowDeadline: t + 3600n, timeout: t + 7200n, mode: PremiumMode.Hedge } });
  const s1 = "0x" + "5a".repeat(32);
  const leg = mk(s1);
  const bg = mk("0x" + "5b".repeat(32));
  await escrow.lock(bg.redeemer, bg.hashlock, bg.timelocks, { value: bg.amount });
  const txs: Record<string, any> = {};
  txs.lock = await escrow.lock(leg.redeemer, leg.hashlock, leg.timelocks, { value: leg.amount });
  txs.claim = await escrow.connect(bob).claim(leg.escrower, leg.amount, leg.timelocks, s1);
  for (const [name, tx] of Object.entries(txs)) {
    const r = await tx.wait();
    let cd = 0; for (const b of ethers.getBytes(tx.data)) cd += b === 0 ? 4 : 16;
    const trace: any = await network.provider.send("debug_traceTransaction", [tx.hash, { disableStorage: true, disableMemory: true, disableStack: true }]);
    const logs = trace.structLogs;
    let big = 0; for (const l of logs) if (l.gasCost >= 1000 && l.depth === 1) big += l.gasCost;
    console.log(name, "gasUsed", r!.gasUsed.toString(), "calldata", cd, "steps", logs.length, "exec", logs[0].gas - logs[logs.length - 1].gas, "big ops", big);
    require("fs").writeFileSync(`/tmp/prof/${name}.ops`, logs.map((l: any) => `${l.pc}:${l.op}:${l.gasCost}:${l.depth}`).join("\n"));
  }
}
main();
