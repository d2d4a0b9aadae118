// The page's words for smart-seal stamps, in Chinese (the default) and English: the stamp's story, why a stamp was not
// authorized, its published photo, and which linked file a document matched.
import type { Lang } from "./i18n";

export interface StampWords {
  authorizedTitle: string;
  authorizedText: string;
  unauthorizedTitle: string;
  unauthorizedText: string;
  unauthorizedAdvice: string;
  reasonUnknown: string;
  reasons: Record<string, string>;
  stampSection: string;
  stampTime: string;
  deviceTime: string;
  deviceModel: string;
  copy: (k: number, n: number) => string;
  copyLabel: string;
  approvalLevel: string;
  approvalLevels: Record<string, string>;
  custody: string;
  custodyRoles: Record<string, string>;
  authorizedLabel: string;
  authorizedYes: string;
  authorizedNo: string;
  authorizedRefused: string;
  notEstablished: string;
  approvedDocumentHash: string;
  photoSection: string;
  photoIntro: string;
  photoLoading: string;
  photoUnavailable: string;
  photoMatch: string;
  photoMismatch: string;
  photoUntrusted: string;
  photoAlt: string;
  photoComputed: string;
  documentMatchApproved: string;
  documentMatchLinked: (role: string) => string;
  linkedRoles: Record<string, string>;
  linkedSection: string;
}

const zh: StampWords = {
  authorizedTitle: "真实有效，已授权盖章",
  authorizedText: "这次实体盖章由公司登记的智能印章设备签名记录，并已写入区块链；盖章之前，用章申请已获批准，保管人和复核人已分别确认，平台已向这台设备授权。以上各项均由您的浏览器直接核对区块链完成。",
  unauthorizedTitle: "警告：这次盖章未经授权",
  unauthorizedText: "记录是真实的，但智能印章设备记录这次盖章没有获得授权：",
  unauthorizedAdvice: "请不要把这个印章当作公司的授权用印，并向盖章单位核实。",
  reasonUnknown: "没有说明原因",
  reasons: {
    NO_AUTHORIZATION: "没有任何授权",
    AUTHORIZATION_UNKNOWN: "所称的授权不存在",
    AUTHORIZATION_OTHER_DEVICE: "授权属于另一台设备",
    AUTHORIZATION_WITHDRAWN: "授权已被撤回",
    OUTSIDE_WINDOW: "不在授权时段内",
    AUTHORIZATION_EXHAUSTED: "授权的份数已用完",
    RECEIPT_NOT_RESERVED: "这份文件的二维码不是该授权预留的",
    RECEIPT_USED: "这个二维码已经盖过章",
    LOCATION_MISSING: "设备没有报告位置",
    OUTSIDE_GEOFENCE: "不在允许盖章的地点范围内",
    DEVICE_LOCKED: "设备处于锁定状态",
    DEVICE_OUT_OF_ORDER: "设备已报故障",
    NO_SEAL: "设备中没有登记的印章",
    STAMP_NO_NOT_RISING: "盖章计数没有递增",
  },
  stampSection: "盖章信息",
  stampTime: "盖章时间（平台记录）",
  deviceTime: "设备时钟",
  deviceModel: "智能印章设备型号",
  copy: (k, n) => `第 ${k} 份，共 ${n} 份`,
  copyLabel: "授权份数",
  approvalLevel: "审批级别",
  approvalLevels: { dept_head: "部门负责人审批", legal_rep: "法定代表人审批", none: "无需审批" },
  custody: "保管确认",
  custodyRoles: { custodian: "保管人", reviewer: "复核人" },
  authorizedLabel: "是否授权",
  authorizedYes: "已授权（已核验）",
  authorizedNo: "未确认授权",
  authorizedRefused: "否：设备记录为未经授权",
  notEstablished: "（未能核验）",
  approvedDocumentHash: "获批文件指纹（SM3）",
  photoSection: "盖章照片",
  photoIntro: "智能印章在盖章时拍下了这页文件。照片由本服务提供，其指纹已由您的浏览器与上链记录核对。",
  photoLoading: "正在获取照片…",
  photoUnavailable: "照片不可用：尚未上传，或已按规定删除。删除照片不影响上面的核验结果。",
  photoMatch: "照片与上链记录中的指纹一致：这正是设备盖章时拍下的照片。",
  photoMismatch: "照片与上链记录中的指纹不一致：这不是设备盖章时拍下的照片，请不要依赖它。",
  photoUntrusted: "盖章记录没有通过核验，因此无法证明这张照片。",
  photoAlt: "盖章时拍下的文件页面",
  photoComputed: "照片的指纹（SM3）：",
  documentMatchApproved: "与获批的文件一致：这是用章申请中审批通过的那份文件（盖章前）。",
  documentMatchLinked: (role) => `与盖章后登记的${role}一致：公司在盖章之后把这份文件登记到了本次用印。`,
  linkedRoles: { scan: "盖章页扫描件", final: "最终归档 PDF", print: "打印件" },
  linkedSection: "已登记的相关文件",
};

const en: StampWords = {
  authorizedTitle: "Genuine, authorized stamp",
  authorizedText: "This physical stamp was signed and recorded by the company's registered smart seal and is on the blockchain. Before it was made, the request was approved, the custodian and the reviewer each confirmed custody, and the platform authorized this very device. Your browser checked all of this against the blockchain itself.",
  unauthorizedTitle: "Warning: this stamp was NOT authorized",
  unauthorizedText: "The record is genuine, but the smart seal recorded this stamp as not authorized:",
  unauthorizedAdvice: "Do not take this stamp as a use of the seal the company authorized; ask the company that stamped it.",
  reasonUnknown: "no reason given",
  reasons: {
    NO_AUTHORIZATION: "no authorization at all",
    AUTHORIZATION_UNKNOWN: "the authorization it named does not exist",
    AUTHORIZATION_OTHER_DEVICE: "the authorization belongs to another device",
    AUTHORIZATION_WITHDRAWN: "the authorization had been withdrawn",
    OUTSIDE_WINDOW: "outside the authorized time window",
    AUTHORIZATION_EXHAUSTED: "all authorized copies were already stamped",
    RECEIPT_NOT_RESERVED: "this copy's QR code was not reserved by the authorization",
    RECEIPT_USED: "this QR code had already been stamped",
    LOCATION_MISSING: "the device reported no location",
    OUTSIDE_GEOFENCE: "outside the place where stamping was allowed",
    DEVICE_LOCKED: "the device was locked",
    DEVICE_OUT_OF_ORDER: "the device was reported out of order",
    NO_SEAL: "no registered seal in the device",
    STAMP_NO_NOT_RISING: "the stamp counter did not rise",
  },
  stampSection: "The stamp",
  stampTime: "Time of stamp (platform)",
  deviceTime: "Device clock",
  deviceModel: "Smart seal model",
  copy: (k, n) => `copy ${k} of ${n}`,
  copyLabel: "Authorized copies",
  approvalLevel: "Approval level",
  approvalLevels: { dept_head: "Department head", legal_rep: "Legal representative", none: "None needed" },
  custody: "Custody confirmed by",
  custodyRoles: { custodian: "custodian", reviewer: "reviewer" },
  authorizedLabel: "Authorized",
  authorizedYes: "Yes (verified)",
  authorizedNo: "Not established",
  authorizedRefused: "No: the device recorded it as not authorized",
  notEstablished: "(not verified)",
  approvedDocumentHash: "Approved document (SM3)",
  photoSection: "Photo of the stamped page",
  photoIntro: "The smart seal photographed the page as it stamped it. The photo comes from this service; your browser checked its fingerprint against the anchored record.",
  photoLoading: "Fetching the photo…",
  photoUnavailable: "The photo is not available: not uploaded yet, or erased as the rules allow. Erasing it does not change the result above.",
  photoMatch: "The photo matches the anchored hash: it is the photo the device took when stamping.",
  photoMismatch: "The photo does NOT match the anchored hash: it is not the photo the device took. Do not rely on it.",
  photoUntrusted: "The stamp's record failed verification, so this photo cannot be proven.",
  photoAlt: "The stamped page as the device photographed it",
  photoComputed: "The photo's fingerprint (SM3):",
  documentMatchApproved: "It matches the approved document: the file the request was approved for (before stamping).",
  documentMatchLinked: (role) => `It matches the ${role} the company linked to this stamp after it was made.`,
  linkedRoles: { scan: "scan of the stamped page", final: "final archived PDF", print: "printed copy" },
  linkedSection: "Linked files",
};

export const STAMP_WORDS: Record<Lang, StampWords> = { zh, en };
