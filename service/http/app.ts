// The Express app: request ids and logs, body limits, rate limits, the /api/v1 routers, OpenAPI, health, metrics,
// error mapping, and for visitors the verify page (/v/:receiptId) and, when the chain needs it, the read-only /rpc proxy.
import express, { type Express } from "express";
import { rateLimit } from "express-rate-limit";
import type { Logger } from "pino";
import { Api } from "./api";
import { jsonBody, requireJson } from "./body";
import { errorBody, errorHandler, notFoundRoute } from "./errors";
import { mountHealth, type HealthSource } from "./health";
import { openApiDocument } from "./openapi";
import { companyRoutes } from "./routes/companies";
import { memberRoutes } from "./routes/members";
import { sealRoutes } from "./routes/seals";
import { scenarioRoutes } from "./routes/scenarios";
import { grantRoutes } from "./routes/grants";
import { requestRoutes } from "./routes/requests";
import { usageRoutes } from "./routes/usages";
import { deviceRoutes } from "./routes/devices";
import { DEVICE_MESSAGES_BODY_LIMIT, DEVICE_MESSAGES_PATH, deviceMessageRoutes } from "./routes/device-messages";
import { deviceControlRoutes } from "./routes/device-control";
import { PHOTO_PATH, photoUploadBody, stampPhotoRoutes, type PhotoOptions } from "./routes/stamp-photos";
import { stampLocationRoutes } from "./routes/stamp-locations";
import { DEFAULT_PHOTO_MAX_BYTES } from "../devices/photos";
import { documentRoutes } from "./routes/documents";
import { recordRoutes } from "./routes/records";
import { receiptRoutes } from "./routes/receipts";
import { receiptQrRoutes } from "./routes/receipt-qr";
import { alertRoutes } from "./routes/alerts";
import { webhookRoutes } from "./routes/webhooks";
import { auditRoutes } from "./routes/audit";
import { auditReconciliationRoutes } from "./routes/audit-reconciliation";
import { auditFindingsRoutes } from "./routes/audit-findings";
import { auditReportRoutes } from "./routes/audit-reports";
import { consoleAuthRoutes } from "./routes/console-auth";
import { refuseCrossSite } from "./session-cookie";
import { mountVerifyPage, type VerifyPageOptions } from "./verify-page";
import { mountConsolePage } from "./console-page";
import { rpcProxy, type RpcProxyOptions } from "./rpc-proxy";
import { RPC_PROXY_PATH } from "./public-chain";
import { mountWellKnown, type WellKnownSource } from "./well-known";
import { requestLog } from "./request-log";
import { mountMetrics, type BatcherView } from "./metrics-route";
import type { DomainContext } from "../domain/context";
import type { DeviceContext } from "../devices/context";
import type { ConsoleAuthContext } from "../console-auth/context";
import { PUBLIC_TARGETS_ONLY, type WebhookTargetPolicy } from "../webhooks/targets";

const OPENAPI_PATH = "/openapi.json";

export interface AppOptions {
  ctx: DomainContext;
  /** What the device routes need beside ctx (the command key, message checks); unset, they answer 500 (route listings). */
  devices?: DeviceContext;
  operatorToken: string;
  version: string;
  bodyLimit: string;
  /** Requests per minute per client address on routes that need no API key. */
  publicRateLimit: number;
  /** Where failures (5xx) are reported. */
  log: (msg: string, err?: unknown) => void;
  /** One JSON line per request (see request-log.ts); unset: requests are counted in /metrics but not logged. */
  logger?: Logger;
  /** What /metrics reads of the batcher at scrape time; unset: no batcher series. */
  batcher?: () => BatcherView;
  /** Check every success body against its route's response schema, answering 500 RESPONSE_MISMATCH when it fails (tests). */
  checkResponses?: boolean;
  /** What /healthz adds to {status, version}: anchoring ok or degraded for anyone, details for the operator. */
  health?: () => HealthSource;
  /** Base of the links in receipt QR codes (PUBLIC_BASE_URL); unset: the address each request came in on. */
  publicBaseUrl?: string;
  /** The verify page's default chain endpoint and chain id; unset: no default, the visitor enters one. */
  verifyPage?: VerifyPageOptions;
  /** What /.well-known/sealproof.json publishes for verifiers to pin; unset: not served. */
  wellKnown?: WellKnownSource;
  /** Offer the read-only JSON-RPC proxy at /rpc (see public-chain.ts for when). */
  rpcProxy?: RpcProxyOptions;
  /** Console sign-in (passkeys, sessions); unset: its routes answer 500 and no session cookie is recognised (route listings). */
  consoleAuth?: ConsoleAuthContext;
  /** Which addresses webhooks may point at (WEBHOOK_ALLOW_LOOPBACK, WEBHOOK_ALLOW_PRIVATE); unset: public HTTPS only. */
  webhookTargets?: WebhookTargetPolicy;
  /** Where stamp photos are kept and how large one may be; unset, the photo routes answer 500 (route listings). */
  photos?: PhotoOptions;
}

export function createApp(options: AppOptions): { app: Express; api: Api } {
  const app = express();
  app.disable("x-powered-by");
  app.set("query parser", "simple");
  app.use(requestLog(options.logger));
  const limiter = rateLimit({
    windowMs: 60_000,
    limit: options.publicRateLimit,
    standardHeaders: "draft-8",
    legacyHeaders: false,
    handler: (_req, res) => {
      res.status(429).json(errorBody("RATE_LIMITED", "too many requests; slow down and retry later"));
    },
  });
  const api = new Api({ ctx: options.ctx, operatorToken: options.operatorToken, publicLimiter: limiter, checkResponses: options.checkResponses, publicBaseUrl: options.publicBaseUrl, consoleAuth: options.consoleAuth });
  app.use(refuseCrossSite(options.publicBaseUrl));
  // The same parsers as the /api/v1 mount below; device messages keep their own mount and its larger limit.
  // The OpenAPI document is the app's own route under the same mount.
  app.use(api.frontDoor("/api/v1", [requireJson, ...jsonBody(options.bodyLimit)], [DEVICE_MESSAGES_PATH, OPENAPI_PATH]));
  for (const register of [companyRoutes, memberRoutes, sealRoutes, scenarioRoutes, grantRoutes, recordRoutes]) register(api, options.ctx);
  usageRoutes(api, options.ctx, options.publicBaseUrl);
  receiptQrRoutes(api, options.ctx, options.publicBaseUrl);
  const devices = () => {
    if (options.devices === undefined) throw new Error("invariant violated: a device route ran in an app made without a device context");
    return options.devices;
  };
  requestRoutes(api, options.ctx, devices);
  deviceRoutes(api, devices);
  deviceMessageRoutes(api, devices);
  deviceControlRoutes(api, devices);
  receiptRoutes(api, options.ctx, devices);
  const photos = () => {
    if (options.photos === undefined) throw new Error("invariant violated: a photo route ran in an app made without a blob store");
    return options.photos;
  };
  stampPhotoRoutes(api, devices, photos);
  stampLocationRoutes(api, devices);
  documentRoutes(api, devices);
  alertRoutes(api, options.ctx);
  webhookRoutes(api, options.ctx, options.webhookTargets ?? PUBLIC_TARGETS_ONLY);
  auditRoutes(api, options.ctx, () => options.wellKnown?.deployment() ?? null);
  auditReconciliationRoutes(api, options.ctx);
  auditFindingsRoutes(api, options.ctx);
  auditReportRoutes(api, options.ctx, options.publicBaseUrl);
  const consoleAuth = () => {
    if (options.consoleAuth === undefined) throw new Error("invariant violated: a console sign-in route ran in an app made without its context");
    return options.consoleAuth;
  };
  consoleAuthRoutes(api, options.ctx, consoleAuth, options.publicBaseUrl);
  const document = openApiDocument(api.routes, api.refused, options.version);

  mountHealth(app, { version: options.version, operatorToken: options.operatorToken, store: options.ctx.store, health: options.health });
  mountMetrics(app, { operatorToken: options.operatorToken, store: options.ctx.store, batcher: options.batcher });
  app.get(`/api/v1${OPENAPI_PATH}`, limiter, (_req, res) => {
    res.json(document);
  });
  // A device's batch of signed messages is larger than any member's request; every other route keeps BODY_LIMIT.
  // A stamp photo is bytes, not JSON, and larger than BODY_LIMIT: its own parser reads it before the /api/v1 mount's.
  app.put(`/api/v1${PHOTO_PATH}`, photoUploadBody(options.photos?.maxBytes ?? DEFAULT_PHOTO_MAX_BYTES));
  app.use(`/api/v1${DEVICE_MESSAGES_PATH}`, requireJson, ...jsonBody(DEVICE_MESSAGES_BODY_LIMIT));
  app.use("/api/v1", requireJson, ...jsonBody(options.bodyLimit), api.router);
  mountVerifyPage(app, options.verifyPage ?? { rpcUrl: null, deployment: () => null });
  mountConsolePage(app);
  if (options.wellKnown) mountWellKnown(app, options.wellKnown, options.publicBaseUrl);
  if (options.rpcProxy) app.post(RPC_PROXY_PATH, ...rpcProxy(options.rpcProxy));
  app.use(notFoundRoute);
  app.use(errorHandler(options.log));
  return { app, api };
}
