// The page's words in Chinese (the default) and English: labels, and one plain sentence per step result.
import type { VerifyCode, VerifyStep } from "../../service/evidence";
import type { Lang } from "./lang";

export { saveLang, savedLang, type Lang } from "./lang";

export interface Words {
  title: string;
  otherLang: string;
  loading: string;
  verifying: string;
  notFoundTitle: string;
  notFoundText: string;
  unavailableTitle: string;
  unavailableText: string;
  rateLimitedText: string;
  pendingTitle: string;
  pendingText: string;
  retry: string;
  genuineTitle: string;
  genuineText: string;
  failedTitle: string;
  failedText: (stepNo: number, stepName: string, meaning: string) => string;
  failedAdvice: string;
  inconclusiveTitle: string;
  inconclusiveText: (meaning: string) => string;
  sealSection: string;
  company: string;
  creditCode: string;
  notAnchored: string;
  anchoredFactsNote: string;
  sealName: string;
  sealType: string;
  sealKind: string;
  statusNow: string;
  statusAtUse: string;
  statusAtUseNote: string;
  statusChangedNote: (status: string) => string;
  serverFactsNote: string;
  factsUnverified: string;
  factsFailed: string;
  usageSection: string;
  timeOfUse: string;
  scenario: string;
  receiptId: string;
  documentHash: string;
  sourceDocumentHash: string;
  sourceDocumentNote: string;
  documentMatchSource: string;
  anchorSection: string;
  chainId: string;
  contract: string;
  block: string;
  blockTime: string;
  txHash: string;
  notRead: string;
  stepsSection: string;
  stepNames: Record<VerifyStep, string>;
  passed: Record<VerifyStep, string>;
  failed: Record<VerifyCode, string>;
  documentSection: string;
  documentIntro: string;
  documentPick: string;
  documentDrop: string;
  documentHashing: string;
  documentMatch: string;
  documentMismatch: string;
  documentMatchUntrusted: string;
  documentReceiptUnsettled: string;
  documentFile: (name: string, bytes: number) => string;
  documentComputed: string;
  chainSection: string;
  rpcLabel: string;
  rpcHint: string;
  rpcNone: string;
  serviceDeployment: (chainId: number, contract: string) => string;
  noDeployment: string;
  rerun: string;
  kinds: Record<string, string>;
  types: Record<string, string>;
  statuses: Record<string, string>;
  footer: string;
}

const zh: Words = {
  title: "印章核验",
  otherLang: "English",
  loading: "正在获取用印凭证…",
  verifying: "正在您的浏览器中核验…",
  notFoundTitle: "找不到这份凭证",
  notFoundText: "这个二维码指向的用印凭证不存在。请确认二维码扫描完整；如果文件是别人交给您的，请向盖章单位核实。",
  unavailableTitle: "暂时无法获取凭证",
  unavailableText: "连接凭证服务时出错，请稍后重试。",
  rateLimitedText: "请求过于频繁，请稍等一分钟再试。",
  pendingTitle: "已记录，尚未上链",
  pendingText: "这次用印已经记录，但还没有写入区块链，通常几秒到几分钟内完成。写入之后才能独立核验，请稍后重试。",
  retry: "重试",
  genuineTitle: "真实有效",
  genuineText: "这次用印的记录已写入区块链，内容没有被改动，电子签名与该印章登记的公钥相符。以上各项均由您的浏览器直接核对区块链完成，无需信任本服务。",
  failedTitle: "核验未通过",
  failedText: (n, name, meaning) => `第 ${n} 步「${name}」未通过：${meaning}`,
  failedAdvice: "请不要依赖这份文件上的印章，并向盖章单位核实。",
  inconclusiveTitle: "暂时无法完成核验",
  inconclusiveText: (meaning) => `${meaning}这并不说明印章是假的。`,
  sealSection: "印章",
  company: "公司",
  creditCode: "统一社会信用代码",
  notAnchored: "（登记记录中没有）",
  anchoredFactsNote: "公司名称、统一社会信用代码和印章名称取自已上链的登记记录，并已由您的浏览器核验；当前状态由本服务提供。",
  sealName: "印章名称",
  sealType: "印章类型",
  sealKind: "印章形式",
  statusNow: "当前状态",
  statusAtUse: "用印时状态",
  statusAtUseNote: "有效（只有有效的印章才会产生用印记录）",
  statusChangedNote: (status) => `注意：该印章现在${status}；用印当时它是有效的。`,
  serverFactsNote: "公司名称、印章名称和当前状态由本服务提供；用印记录、时间、文件指纹和签名已由您的浏览器独立核验。",
  factsUnverified: "以上信息由本服务提供，尚未经您的浏览器核验。",
  factsFailed: "这份凭证没有通过核验，以上信息不能作为依据。",
  usageSection: "用印信息",
  timeOfUse: "用印时间",
  scenario: "用印场景编号",
  receiptId: "凭证编号",
  documentHash: "文件指纹（SM3）",
  sourceDocumentHash: "盖章前原件指纹（SM3）",
  sourceDocumentNote: "盖章文件是审批通过的原件加盖印章和二维码后的副本；这一对应关系由签名人在电子签名中声明。",
  documentMatchSource: "与盖章前的原件一致：这是签名人声明的、加盖印章之前的原件，不是盖章后的文件。",
  anchorSection: "区块链存证",
  chainId: "链 ID",
  contract: "存证合约",
  block: "区块高度",
  blockTime: "出块时间",
  txHash: "交易哈希",
  notRead: "未能读取",
  stepsSection: "核验步骤",
  stepNames: {
    format: "凭证格式",
    deployment: "存证部署",
    receipt: "凭证编号",
    leaf: "记录指纹（SM3）",
    position: "批次位置",
    chain: "链上批次",
    proof: "默克尔证明",
    anchor: "上链交易",
    signature: "电子签名（SM2）",
    company: "公司登记",
    approval: "用章审批",
    custody: "双人保管确认",
    authorization: "设备授权",
  },
  passed: {
    format: "凭证结构完整，可以逐项核验。",
    deployment: "凭证写入的正是本服务公布的区块链和存证合约。",
    receipt: "记录中的凭证编号正是二维码上的编号。",
    leaf: "用印记录的 SM3 指纹与存证时一致，记录没有被改动。",
    position: "记录的序号与它在批次中的位置一致。",
    chain: "区块链上保存的这一批记录的根与凭证一致。",
    proof: "默克尔证明把这条记录连到了链上的批次根。",
    anchor: "写入这批记录的交易已在区块链上确认。",
    signature: "电子签名与该印章登记时的 SM2 公钥相符。",
    company: "公司的登记记录已在同一存证合约中上链。",
    approval: "这次盖章所依据的用章申请已获批准，审批记录早于授权。",
    custody: "印章保管人和复核人（两个不同的人）都在授权之前确认了保管。",
    authorization: "盖章之前，平台已向这台设备授权本次用印；本份凭证编号在授权的份数之内，盖章时间在授权时段内。",
  },
  failed: {
    FORMAT_INVALID: "服务返回的凭证格式不正确，无法核验。",
    DEPLOYMENT_NOT_TRUSTED: "凭证写在另一条链或另一个合约上，而不是本服务公布的存证合约——任何人都能部署同样的合约写入伪造记录，这份凭证不可信。",
    RECEIPT_ID_MISMATCH: "服务返回的记录不是这个二维码对应的那一条。",
    RECORD_NOT_CANONICAL: "用印记录无法按规范编码，记录可能被改动过。",
    LEAF_MISMATCH: "用印记录与存证时的内容不一致——记录被改动过。",
    POSITION_MISMATCH: "记录的序号与它在批次中的位置不符——凭证被改动过。",
    CHAIN_UNREACHABLE: "无法读取区块链节点，请检查下方的节点地址后重试。",
    CHAIN_MISMATCH: "所用节点属于另一条区块链，请换用凭证所在链的节点。",
    BATCH_NOT_ON_CHAIN: "区块链上没有这一批记录——它从未上链，或凭证是伪造的。",
    BATCH_RANGE_MISMATCH: "区块链上这一批记录的范围与凭证不符——凭证被改动过。",
    ROOT_MISMATCH: "区块链上保存的批次根与凭证不符——凭证被改动过。",
    PROOF_INVALID: "默克尔证明无法把这条记录连到批次根——凭证被改动过。",
    ANCHOR_TX_NOT_FOUND: "区块链上找不到这笔成功的上链交易。",
    ANCHOR_TX_MISMATCH: "凭证所写的交易并不是写入这一批记录的那一笔。",
    SEAL_RECEIPT_MISSING: "缺少印章的登记凭证，无法核对电子签名。",
    SEAL_RECEIPT_INVALID: "印章的登记凭证无法核验，或属于另一枚印章。",
    SIGNATURE_INVALID: "电子签名与该印章登记的公钥不符——签名无效，或签名的内容被改动过。",
    DEVICE_RECEIPT_MISSING: "缺少智能印章设备的登记凭证，无法核对设备签名。",
    DEVICE_RECEIPT_INVALID: "设备的登记凭证无法核验，或属于另一台设备，或晚于这次盖章。",
    COMPANY_RECEIPT_INVALID: "公司的登记凭证无法核验，或属于另一家公司。",
    APPROVAL_INVALID: "缺少用章申请或其审批记录，或记录无法核验、属于另一个申请，或顺序不对。",
    CUSTODY_INVALID: "保管确认缺失或无法核验，或属于另一个申请，或不是保管人和复核人两人分别确认。",
    AUTHORIZATION_MISSING: "缺少这次盖章的设备授权记录。",
    AUTHORIZATION_INVALID: "设备授权记录无法核验，或不是这次盖章所用的授权。",
    AUTHORIZATION_OTHER_DEVICE: "设备授权是发给另一台设备或另一枚印章的。",
    AUTHORIZATION_NOT_BEFORE_STAMP: "设备授权记录晚于这次盖章——盖章时并没有授权。",
    RECEIPT_NOT_AUTHORIZED: "这份凭证编号不在授权预留的编号之中。",
    OUTSIDE_AUTHORIZED_WINDOW: "盖章时间不在授权的时段之内。",
    STAMP_UNAUTHORIZED: "设备记录这次盖章未经授权。",
  },
  documentSection: "核对文件",
  documentIntro: "选择或拖入您收到的文件，看它是否正是盖章时的那一份。文件只在您的浏览器中计算指纹，不会上传。",
  documentPick: "选择文件",
  documentDrop: "或把文件拖到这里",
  documentHashing: "正在计算文件指纹…",
  documentMatch: "完全一致：这正是盖章时的那份文件。",
  documentMismatch: "不一致：这不是盖章时的那份文件，它可能被修改过（哪怕只改动一个字节，指纹也会不同）。",
  documentMatchUntrusted: "与凭证中记录的指纹一致，但这份凭证没有通过核验，因此不能证明这是盖章时的文件。",
  documentReceiptUnsettled: "凭证尚未完成核验，请以上方的核验结果为准。",
  documentFile: (name, bytes) => `${name}（${bytes.toLocaleString("zh-CN")} 字节）`,
  documentComputed: "该文件的指纹（SM3）：",
  chainSection: "区块链节点",
  rpcLabel: "JSON-RPC 地址",
  rpcHint: "核验在您的浏览器中直接读取区块链。您可以换用任何自己信任的节点，然后重新核验。",
  rpcNone: "本服务没有提供默认节点，请填写凭证所在链的 JSON-RPC 地址。",
  serviceDeployment: (chainId, contract) => `本服务在链 ID 为 ${chainId} 的区块链上、通过存证合约 ${contract} 存证；只有写在这个合约里的凭证才会被认可。`,
  noDeployment: "本服务没有公布它的存证合约，因此无法核验。",
  rerun: "重新核验",
  kinds: { electronic: "电子印章", physical: "实体印章" },
  types: { official: "公章", contract: "合同专用章", finance: "财务专用章", invoice: "发票专用章", legal_rep: "法定代表人名章", other: "其他印章" },
  statuses: { active: "有效", suspended: "已暂停使用", revoked: "已吊销", destroyed: "已销毁" },
  footer: "sealproof 印章存证 · 核验在您的设备上完成",
};

const en: Words = {
  title: "Seal verification",
  otherLang: "中文",
  loading: "Fetching the seal receipt…",
  verifying: "Checking in your browser…",
  notFoundTitle: "No such receipt",
  notFoundText: "The receipt this QR code points to does not exist. Check that the code was scanned completely; if someone gave you the document, ask the company that sealed it.",
  unavailableTitle: "The receipt cannot be fetched right now",
  unavailableText: "The receipt service could not be reached. Please try again shortly.",
  rateLimitedText: "Too many requests. Please wait a minute and try again.",
  pendingTitle: "Recorded, not yet on the blockchain",
  pendingText: "This seal use is recorded but not yet written to the blockchain; that usually takes seconds to minutes. It can be checked independently once it is written. Please try again shortly.",
  retry: "Try again",
  genuineTitle: "Genuine",
  genuineText: "This seal use is recorded on the blockchain, unchanged, and its electronic signature matches the seal's registered key. Your browser checked all of this against the blockchain itself, without trusting this service.",
  failedTitle: "Verification failed",
  failedText: (n, name, meaning) => `Step ${n}, “${name}”, failed: ${meaning}`,
  failedAdvice: "Do not rely on the seal on this document; ask the company that sealed it.",
  inconclusiveTitle: "Cannot finish checking right now",
  inconclusiveText: (meaning) => `${meaning} This does not mean the seal is false.`,
  sealSection: "Seal",
  company: "Company",
  creditCode: "Unified social credit code",
  notAnchored: "(not in the registration record)",
  anchoredFactsNote: "The company name, credit code and seal name come from their anchored registration records, checked by your browser; the current status comes from this service.",
  sealName: "Seal name",
  sealType: "Seal type",
  sealKind: "Form",
  statusNow: "Status now",
  statusAtUse: "Status when used",
  statusAtUseNote: "Active (only an active seal produces a usage record)",
  statusChangedNote: (status) => `Note: the seal is now ${status.toLowerCase()}; it was active when it was used.`,
  serverFactsNote: "The company name, seal name and current status come from this service; the usage record, time, document fingerprint and signature were checked independently by your browser.",
  factsUnverified: "These facts come from this service and have not been checked by your browser yet.",
  factsFailed: "This receipt failed verification: do not rely on these facts.",
  usageSection: "Seal use",
  timeOfUse: "Time of use",
  scenario: "Scenario id",
  receiptId: "Receipt id",
  documentHash: "Document fingerprint (SM3)",
  sourceDocumentHash: "Original before stamping (SM3)",
  sourceDocumentNote: "The sealed file is a copy of the approved original with the seal and QR code added; the signer declared this relation in the electronic signature.",
  documentMatchSource: "It matches the original before stamping: this is the unstamped original the signer declared, not the sealed file.",
  anchorSection: "Blockchain anchoring",
  chainId: "Chain id",
  contract: "Anchor contract",
  block: "Block",
  blockTime: "Block time",
  txHash: "Transaction",
  notRead: "not read",
  stepsSection: "Checks",
  stepNames: {
    format: "Receipt format",
    deployment: "Anchoring deployment",
    receipt: "Receipt id",
    leaf: "Record fingerprint (SM3)",
    position: "Place in batch",
    chain: "Batch on chain",
    proof: "Inclusion proof",
    anchor: "Anchoring transaction",
    signature: "Electronic signature (SM2)",
    company: "Company registration",
    approval: "Approval",
    custody: "Dual custody",
    authorization: "Device authorization",
  },
  passed: {
    format: "The receipt is complete and can be checked step by step.",
    deployment: "The receipt names the chain and anchor contract this service publishes.",
    receipt: "The record carries the receipt id of this QR code.",
    leaf: "The usage record's SM3 fingerprint is the one anchored: the record is unchanged.",
    position: "The record's sequence number matches its place in the batch.",
    chain: "The blockchain holds this batch with the same root as the receipt.",
    proof: "The inclusion proof links this record to the batch root on the chain.",
    anchor: "The transaction that wrote this batch is confirmed on the blockchain.",
    signature: "The electronic signature matches the SM2 key the seal was registered with.",
    company: "The company's registration is anchored in the same contract.",
    approval: "The request this stamp was made under was approved, before the authorization.",
    custody: "The seal's custodian and reviewer, two different people, confirmed custody before the authorization.",
    authorization: "Before the stamp, the platform authorized this very device; this receipt id is one of the authorized copies and the stamp's time is within the window.",
  },
  failed: {
    FORMAT_INVALID: "The receipt the service returned is malformed and cannot be checked.",
    DEPLOYMENT_NOT_TRUSTED: "The receipt names another chain or contract than the one this service publishes. Anyone can deploy the same contract and anchor invented records in it: do not trust this receipt.",
    RECEIPT_ID_MISMATCH: "The record the service returned is not the one for this QR code.",
    RECORD_NOT_CANONICAL: "The usage record cannot be encoded canonically; it may have been changed.",
    LEAF_MISMATCH: "The usage record differs from what was anchored: the record was changed.",
    POSITION_MISMATCH: "The record's sequence number does not match its place in the batch: the receipt was changed.",
    CHAIN_UNREACHABLE: "The blockchain node could not be read. Check the node address below and try again.",
    CHAIN_MISMATCH: "The node belongs to another blockchain. Use a node of the chain the receipt names.",
    BATCH_NOT_ON_CHAIN: "The blockchain holds no such batch: it was never anchored, or the receipt is forged.",
    BATCH_RANGE_MISMATCH: "The batch on the blockchain covers other records than the receipt says: the receipt was changed.",
    ROOT_MISMATCH: "The root stored on the blockchain differs from the receipt's: the receipt was changed.",
    PROOF_INVALID: "The inclusion proof does not link this record to the batch root: the receipt was changed.",
    ANCHOR_TX_NOT_FOUND: "The blockchain has no successful anchoring transaction with this hash.",
    ANCHOR_TX_MISMATCH: "The transaction the receipt names is not the one that wrote this batch.",
    SEAL_RECEIPT_MISSING: "The seal's registration receipt is missing, so the signature cannot be checked.",
    SEAL_RECEIPT_INVALID: "The seal's registration receipt does not verify, or belongs to another seal.",
    SIGNATURE_INVALID: "The electronic signature does not match the seal's registered key: it is invalid, or what was signed was changed.",
    DEVICE_RECEIPT_MISSING: "The smart-seal device's registration receipt is missing, so its signature cannot be checked.",
    DEVICE_RECEIPT_INVALID: "The device's registration receipt does not verify, belongs to another device, or comes after the stamp.",
    COMPANY_RECEIPT_INVALID: "The company's registration receipt does not verify, or belongs to another company.",
    APPROVAL_INVALID: "The request or its approval is missing, does not verify, belongs to another request, or is out of order.",
    CUSTODY_INVALID: "A custody confirmation is missing, does not verify, belongs to another request, or custody was not confirmed by the custodian and the reviewer as two people.",
    AUTHORIZATION_MISSING: "The device authorization for this stamp is missing.",
    AUTHORIZATION_INVALID: "The device authorization does not verify, or is not the one this stamp was made under.",
    AUTHORIZATION_OTHER_DEVICE: "The device authorization was issued to another device or seal.",
    AUTHORIZATION_NOT_BEFORE_STAMP: "The device authorization was recorded after the stamp: there was no authorization when it was made.",
    RECEIPT_NOT_AUTHORIZED: "This receipt id is not one the authorization reserved.",
    OUTSIDE_AUTHORIZED_WINDOW: "The stamp was made outside the authorization's time window.",
    STAMP_UNAUTHORIZED: "The device recorded this stamp as not authorized.",
  },
  documentSection: "Check the document",
  documentIntro: "Pick or drop the file you received to see whether it is exactly the one that was sealed. Its fingerprint is computed in your browser; the file is not uploaded.",
  documentPick: "Choose file",
  documentDrop: "or drop the file here",
  documentHashing: "Computing the file's fingerprint…",
  documentMatch: "Exact match: this is the very file that was sealed.",
  documentMismatch: "No match: this is not the file that was sealed; it may have been altered (changing even one byte changes the fingerprint).",
  documentMatchUntrusted: "It matches the fingerprint in the receipt, but the receipt failed verification, so this does not show that it is the sealed file.",
  documentReceiptUnsettled: "The receipt is not fully verified yet: rely on the result above.",
  documentFile: (name, bytes) => `${name} (${bytes.toLocaleString("en")} bytes)`,
  documentComputed: "Its fingerprint (SM3):",
  chainSection: "Blockchain node",
  rpcLabel: "JSON-RPC URL",
  rpcHint: "Your browser reads the blockchain directly. You may use any node you trust instead, then check again.",
  rpcNone: "This service offers no default node: enter a JSON-RPC URL of the chain the receipt names.",
  serviceDeployment: (chainId, contract) => `This service anchors on the chain with id ${chainId}, in contract ${contract}; only receipts anchored in that contract are accepted.`,
  noDeployment: "This service has not published its anchor contract, so nothing can be verified.",
  rerun: "Check again",
  kinds: { electronic: "Electronic seal", physical: "Physical seal" },
  types: { official: "Official seal (公章)", contract: "Contract seal (合同专用章)", finance: "Finance seal (财务专用章)", invoice: "Invoice seal (发票专用章)", legal_rep: "Legal representative's seal (法定代表人名章)", other: "Other seal" },
  statuses: { active: "Active", suspended: "Suspended", revoked: "Revoked", destroyed: "Destroyed" },
  footer: "sealproof seal evidence · checked on your device",
};

export const WORDS: Record<Lang, Words> = { zh, en };

/** A fact from the service in words, or the raw value when the page has no words for it. */
export function named(table: Record<string, string>, value: string): string {
  return table[value] ?? value;
}
