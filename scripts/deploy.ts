// `npm run deploy -- --rpc URL --key-file FILE [--admin ADDR] [--anchorer ADDR]`: deploys SealAnchor to
// any EVM network and prints the address to set as ANCHOR_CONTRACT.
import fs from "node:fs";
import { parseArgs } from "node:util";
import { JsonRpcProvider, Wallet, isAddress } from "ethers";
import { deploySealAnchor } from "../service/chain/deploy";

const HELP = `Usage: npm run deploy -- --rpc URL (--key-file FILE | --key HEX) [--admin ADDRESS] [--anchorer ADDRESS]

Deploys the SealAnchor contract with the given key and prints its address (ANCHOR_CONTRACT).
  --rpc URL          the chain's JSON-RPC endpoint (or $CHAIN_RPC_URL)
  --key-file FILE    file holding the deployer's private key (or --key, or $DEPLOYER_KEY)
  --admin ADDRESS    who may grant and revoke the anchorer role (default: the deployer)
  --anchorer ADDRESS who may anchor batches: the service's ANCHORER_KEY account (default: the deployer)`;

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { rpc: { type: "string" }, "key-file": { type: "string" }, key: { type: "string" }, admin: { type: "string" }, anchorer: { type: "string" }, help: { type: "boolean", short: "h" } } });
  if (values.help) return (console.log(HELP), 0);
  const rpc = values.rpc ?? process.env.CHAIN_RPC_URL;
  const key = values.key ?? (values["key-file"] ? fs.readFileSync(values["key-file"], "utf8").trim() : process.env.DEPLOYER_KEY);
  if (!rpc || !key) {
    console.error(`deploy: need --rpc and a key\n\n${HELP}`);
    return 2;
  }
  for (const address of [values.admin, values.anchorer]) {
    if (address !== undefined && !isAddress(address)) {
      console.error(`deploy: ${String(address)} is not an address`);
      return 2;
    }
  }
  const provider = new JsonRpcProvider(rpc, undefined, { cacheTimeout: -1 });
  try {
    const deployer = new Wallet(key, provider);
    const { chainId } = await provider.getNetwork();
    console.error(`deploying SealAnchor to chain ${chainId} from ${deployer.address}…`);
    const { address, txHash } = await deploySealAnchor(deployer, values.admin ?? deployer.address, values.anchorer ?? deployer.address);
    console.error(`deployed in ${txHash}`);
    console.log(address);
    return 0;
  } finally {
    provider.destroy();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`deploy failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
