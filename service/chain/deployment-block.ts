// The block a contract was deployed in, found by bisecting eth_getCode over the chain's history (about
// log2(head) calls, once per process): verifiers scanning the contract's events start there.
import type { Provider } from "ethers";

export async function findDeploymentBlock(provider: Provider, address: string): Promise<number | null> {
  let high = await provider.getBlockNumber();
  if ((await provider.getCode(address, high)) === "0x") return null;
  let low = 0;
  while (low < high) {
    const mid = Math.floor((low + high) / 2);
    if ((await provider.getCode(address, mid)) === "0x") low = mid + 1;
    else high = mid;
  }
  return low;
}
