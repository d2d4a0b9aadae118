// The attack a pinned deployment stops: an outsider deploys their own SealAnchor on the same chain, registers a
// real company's real seal id with their own SM2 key, and anchors a usage signed with it. Every receipt in the
// answer is internally sound; only the deployment it names gives it away.
import { JsonRpcProvider, Wallet } from "ethers";
import { connectAnchorClient } from "../../service/chain/anchor-client";
import { deploySealAnchor } from "../../service/chain/deploy";
import { newReceiptId } from "../../service/domain/ids";
import {
  assembleReceipt, buildTree, generateSm2KeyPair, receiptProof, recordBytes, rootOf, sm2Sign, sm3, toHex, usageTbsBytes,
  type Deployment, type EvidenceRecord, type UsageTbs,
} from "../../service/evidence";

/** The dev chain's second prefunded account (the well-known anvil/Hardhat test key): the outsider. */
export const SECOND_DEV_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";

export interface Target {
  company: { id: string; name: string; creditCode: string };
  seal: string;
  signer: string;
  scenario: string;
  documentHash: string;
}

export interface Forgery {
  receiptId: string;
  deployment: Deployment;
  /** What GET /api/v1/receipts/:id would answer for it. */
  view: { status: "anchored"; receipt: unknown; sealReceipt: unknown; companyReceipt: unknown };
}

export async function forgeOnShadowContract(rpcUrl: string, target: Target): Promise<Forgery> {
  const provider = new JsonRpcProvider(rpcUrl, undefined, { cacheTimeout: -1, staticNetwork: true });
  const attacker = new Wallet(SECOND_DEV_KEY, provider);
  try {
    const { address } = await deploySealAnchor(attacker, attacker.address, attacker.address);
    const keys = generateSm2KeyPair();
    const receiptId = newReceiptId();
    const at = new Date().toISOString();
    const { company } = target;
    const tbs: UsageTbs = { v: 1, receipt: receiptId, seal: target.seal, signer: target.signer, signedAt: at, documentHash: target.documentHash, scenario: target.scenario, request: null };
    const { v: _v, seal: _seal, signer: _signer, ...signed } = tbs;
    const records: EvidenceRecord[] = [
      { v: 1, seq: 0, type: "company.registered", at, company: company.id, subject: company.id, actor: "operator", data: { name: company.name, creditCode: company.creditCode } },
      { v: 1, seq: 1, type: "seal.registered", at, company: company.id, subject: target.seal, actor: target.signer, data: { kind: "electronic", sealType: "contract", publicKey: keys.publicKey } },
      { v: 1, seq: 2, type: "seal.used", at, company: company.id, subject: target.seal, actor: target.signer, data: { ...signed, signature: sm2Sign(usageTbsBytes(tbs), keys.privateKey) } },
    ];
    const tree = buildTree(sm3, records.map(recordBytes));
    const root = toHex(rootOf(tree));
    const shadow = await connectAnchorClient(rpcUrl, address, SECOND_DEV_KEY);
    try {
      const mined = await shadow.confirm(await shadow.send({ id: 0, root, firstSeq: 0, count: records.length }), 1, 30_000);
      const anchor = { chainId: shadow.chainId, contract: address, txHash: mined.txHash, blockNumber: mined.blockNumber };
      const batch = { id: 0, root, firstSeq: 0, count: records.length };
      const [companyReceipt, sealReceipt, receipt] = records.map((r, i) => assembleReceipt(r, receiptProof(tree, i), batch, anchor));
      return { receiptId, deployment: { chainId: shadow.chainId, contract: address.toLowerCase() }, view: { status: "anchored", receipt, sealReceipt, companyReceipt } };
    } finally {
      shadow.close();
    }
  } finally {
    provider.destroy();
  }
}
