// `npm start`: API, batcher and chain together. With nothing configured: SQLite and the embedded dev
// chain under DATA_DIR. With MONGODB_URI and CHAIN_RPC_URL: production stores and any EVM network.
import type { Server } from "node:http";
import { JsonRpcProvider } from "ethers";
import pino, { type Logger } from "pino";
import { instanceId, loadConfig, prepareDataDir, resolveDataKey, resolveOperatorToken, ConfigError, type Config } from "./config";
import { sm4GcmCipher } from "./crypto/field-cipher";
import { withSealedFields } from "./domain/sealed-fields";
import type { BatcherStatus } from "./anchoring/batcher";
import type { HealthSource } from "./http/health";
import type { OutboxEntry, Store } from "./store/port";
import { raiseAlert, severityOf, SYSTEM_COMPANY } from "./alerts/raise";
import type { AlertSchema } from "./alerts/schema";
import { WEBHOOK_OUTBOX_KIND } from "./webhooks/enqueue";
import { RETRY_FOR_MS, webhookHandler } from "./webhooks/deliver";
import type { UnstableReport } from "./chain/dev-chain-supervisor";
import { openStore } from "./store/open";
import { openBlobStore } from "./blobs/open";
import { sealedBlobStore } from "./blobs/sealed";
import { SERVICE_SCHEMA } from "./schema";
import { startPurging } from "./store/purge";
import { createApp } from "./http/app";
import { createHttpServer } from "./http/server";
import { createSm2Pool } from "./workers/sm2-pool";
import { formatRegistryCheck } from "./domain/registry-check";
import { connectChain, type ChainConnection } from "./chain/connect";
import { Batcher, type Failpoint } from "./anchoring/batcher";
import { OutboxDeliverer, type OutboxHandler } from "./jobs/outbox-deliverer";
import { postEntriesTo, TEST_OUTBOX_KIND, withTestEntries, type TestOutboxHooks } from "./jobs/test-outbox";
import { nudgeAfterOutboxCommit } from "./jobs/outbox-nudge";
import { publicChainAccess, type PublicChainAccess } from "./http/public-chain";
import { findDeploymentBlock } from "./chain/deployment-block";
import type { DomainContext } from "./domain/context";
import type { DeviceContext, DeviceFailpoint } from "./devices/context";
import { CommandKeyError, loadCommandKey } from "./devices/command-key";
import { startDeviceMqtt } from "./devices/mqtt";
import { COMMANDS_OUTBOX_KIND } from "./devices/commands";
import { offlineWatch } from "./devices/presence-watch";
import { authorizationExpiry } from "./devices/authorization-expiry";
import { AuditReportJob } from "./jobs/audit-report";
import type { AnchorClient } from "./chain/anchor-client";
import { alertsRaised, anchorFailures, anchorSeconds } from "./metrics";
import type { Deployment } from "./evidence";

const VERSION = "0.1.0";

/**
 * Written asynchronously: a synchronous write(2) per request line cost the event loop ~2.5% of ingest (measured with
 * --cpu-prof in bench:ingest), and an asynchronous one per line still ~12 µs a usage. Lines go out 4 KB at a time,
 * and at least every 200 ms; every exit flushes first.
 */
const logDestination = pino.destination({ dest: 1, sync: false, minLength: 4096, periodicFlush: 200 });

async function main(): Promise<void> {
  // Whatever this process and its dev chain create is for this user only: SQLite makes the -wal and -shm files
  // long after start, so modes given file by file would miss them.
  process.umask(0o077);
  const config = loadConfig();
  prepareDataDir(config);
  const dataKey = resolveDataKey(config);
  const cipher = sm4GcmCipher(dataKey);
  const commandKey = loadCommandKey(config.dataDir, config.commandKeyFile);
  // One JSON line per event on stdout (pino); what goes in is ids, codes and times, never secrets or personal data.
  const logger = pino(logDestination);
  const log = (line: string) => logger.info(line);
  const failpoint = failpointFromEnv();
  const sealed = withSealedFields(
    await openStore({ dataDir: config.dataDir, mongodbUri: config.mongodbUri, schema: SERVICE_SCHEMA, onFatal: exitOnStoreFailure, afterGuardedWrite: () => failpoint?.("after-idempotent-write") }),
    cipher,
  );
  // Stamp photos: files under DATA_DIR, or GridFS beside the documents when MONGODB_URI is set, sealed with the data key.
  const blobs = sealedBlobStore(await openBlobStore({ dataDir: config.dataDir, mongodbUri: config.mongodbUri }), dataKey);
  const testOutbox = process.env.SEALPROOF_TEST_OUTBOX_TARGET;
  const tested = testOutbox ? { ...sealed, transaction: withTestEntries(sealed.transaction.bind(sealed), testOutboxHooks(failpoint)) } : sealed;
  // Set once the deliverer exists; a transaction may commit an entry before (an alert raised while the chain starts).
  const outboxCommitted: { handOver: (entries: OutboxEntry[]) => void } = { handOver: () => undefined };
  const store = { ...tested, transaction: nudgeAfterOutboxCommit(tested.transaction.bind(tested), (entries) => outboxCommitted.handOver(entries)) };
  const chain = await connectChain(config, log, (report) => void devChainUnstable(store, log, report).catch((err: unknown) => logger.error({ err }, "recording DEV_CHAIN_RESTARTING failed")));
  const batcher = new Batcher(store, measuredAnchoring(chain.client), {
    batchMax: config.batchMax,
    batchIntervalMs: config.batchIntervalMs,
    confirmations: config.confirmations,
    pollMs: Math.min(250, config.batchIntervalMs),
    leaseTtlMs: 30_000,
    holder: instanceId(config),
    now: () => new Date(),
    log,
    failpoint,
  });
  const handlers: { [kind: string]: OutboxHandler } = testOutbox ? { [TEST_OUTBOX_KIND]: postEntriesTo(testOutbox) } : {};
  const { timeoutMs, ...webhookTargets } = config.webhooks;
  handlers[WEBHOOK_OUTBOX_KIND] = webhookHandler(store, { policy: webhookTargets, timeoutMs, retryForMs: RETRY_FOR_MS, now: () => new Date(), log });
  // A device's commands are published as soon as the transaction that issued them commits (see immediateKinds).
  const deliverer = new OutboxDeliverer(store, { handlers, immediateKinds: [COMMANDS_OUTBOX_KIND], targetsPerPass: 32, pollMs: 250, leaseTtlMs: 30_000, holder: instanceId(config), retryBaseMs: 1_000, retryMaxMs: 300_000, now: () => new Date(), log });
  outboxCommitted.handOver = (entries) => deliverer.committed(entries);
  const pool = createSm2Pool(config.verifyWorkers, log);
  const operator = resolveOperatorToken(config);
  const ctx: DomainContext = { store, now: () => new Date(), registryCheck: formatRegistryCheck, reservationTtlMs: config.reservationTtlMs, verifyUsage: pool.verify };
  const devices: DeviceContext = { ...ctx, store, commandKey, verifyMessage: pool.verifyMessage, failpoint };
  const mqtt = await startDeviceMqtt(config.mqtt, devices, { host: config.host, publicBaseUrl: config.publicBaseUrl, instance: instanceId(config), log });
  // Registered before the deliverer starts below: commands signed in a transaction reach the MQTT down topic after it.
  handlers[COMMANDS_OUTBOX_KIND] = mqtt.deliverCommands;
  const expiry = authorizationExpiry(store, { commandKey, holder: instanceId(config), now: () => new Date(), log });
  const watch = offlineWatch(store, { silenceMs: config.deviceOfflineAlertMs, holder: instanceId(config), now: () => new Date(), log, raised: (n) => alertsRaised.inc({ code: "DEVICE_OFFLINE" }, n) });
  // Unknown (null) until an external chain that was down at start has answered.
  const deployment = (): Deployment | null => (chain.client.chainId === null ? null : { chainId: chain.client.chainId, contract: chain.client.contract.toLowerCase() });
  const visitors = publicChainAccess({ publicRpcUrl: config.publicRpcUrl, rpcProxy: config.rpcProxy, chainRpcUrl: chain.rpcUrl, devChain: chain.devChain !== null });
  const { app } = createApp({
    ctx,
    devices,
    photos: { blobs, maxBytes: config.photoMaxBytes },
    consoleAuth: { store, now: () => new Date() },
    webhookTargets,
    operatorToken: operator.token,
    version: VERSION,
    bodyLimit: config.bodyLimit,
    publicRateLimit: config.publicRateLimit,
    log: (msg, err) => logger.error({ err }, msg),
    logger,
    batcher: () => batcher.status,
    publicBaseUrl: config.publicBaseUrl,
    verifyPage: { rpcUrl: visitors.pageRpcUrl, deployment },
    wellKnown: {
      deployment,
      deploymentBlock: deploymentBlockOf(chain.rpcUrl, chain.client.contract.toLowerCase()),
      commandPublicKey: commandKey.publicKey,
      mqttUrl: mqtt.deviceUrl,
    },
    rpcProxy: visitors.proxyUpstream ? { upstream: visitors.proxyUpstream, contract: chain.client.contract, rateLimit: config.rpcRateLimit } : undefined,
    health: () => healthOf(batcher.status, chain, store, config.batchIntervalMs),
  });
  const server = await listen(createHttpServer(app).listen(config.port, config.host));
  const audit = config.auditSchedule === null ? null : new AuditReportJob(store, { schedule: config.auditSchedule, holder: instanceId(config), publicBaseUrl: config.publicBaseUrl ?? listeningUrl(config, server), now: () => new Date(), log });
  batcher.start();
  deliverer.start();
  watch.start();
  expiry.start();
  audit?.start();
  const stopPurging = startPurging(store, { now: () => new Date(), log });
  announce(logger, config, server, store.adapter, operator, visitors);
  logger.info(mqtt.description);

  const stop = async (signal: string) => {
    logger.info(`${signal}: shutting down`);
    server.close();
    server.closeAllConnections();
    await batcher.stop();
    await deliverer.stop();
    await watch.stop();
    await expiry.stop();
    await audit?.stop();
    await mqtt.stop();
    await stopPurging();
    await pool.close();
    await store.close();
    await blobs.close();
    await chain.close();
    logDestination.flushSync();
    process.exit(0);
  };
  process.once("SIGINT", () => void stop("SIGINT"));
  process.once("SIGTERM", () => void stop("SIGTERM"));
}

/** The chain client, timing each anchor from send to confirmation and counting failed steps (GET /metrics). */
function measuredAnchoring(client: AnchorClient): AnchorClient {
  const sentAt = new Map<string, number>();
  const measured = <A extends unknown[], R>(step: "send" | "confirm", call: (...args: A) => Promise<R>) => async (...args: A): Promise<R> => {
    try {
      return await call(...args);
    } catch (err) {
      anchorFailures.inc({ step });
      throw err;
    }
  };
  const send = measured("send", async (batch: Parameters<AnchorClient["send"]>[0]) => {
    const txHash = await client.send(batch);
    sentAt.set(txHash, performance.now());
    return txHash;
  });
  const confirm = measured("confirm", async (txHash: string, confirmations: number, timeoutMs: number) => {
    const tx = await client.confirm(txHash, confirmations, timeoutMs);
    const started = sentAt.get(txHash);
    sentAt.delete(txHash);
    if (started !== undefined) anchorSeconds.observe((performance.now() - started) / 1000);
    return tx;
  });
  // A Proxy, not a copy: the client's chainId is filled in once an unreachable chain answers.
  return new Proxy(client, { get: (target, prop) => (prop === "send" ? send : prop === "confirm" ? confirm : (Reflect.get(target, prop) as unknown)) });
}

/** The contract's deployment block, looked up once on first use (it never changes) and remembered. */
function deploymentBlockOf(rpcUrl: string, contract: string): () => Promise<number | null> {
  let found: Promise<number | null> | null = null;
  return () => {
    found ??= (async () => {
      const provider = new JsonRpcProvider(rpcUrl, undefined, { staticNetwork: true, batchMaxCount: 1 });
      try {
        return await findDeploymentBlock(provider, contract);
      } finally {
        provider.destroy();
      }
    })().catch(() => {
      found = null;
      return null;
    });
    return found;
  };
}

/** Anyone may learn that anchoring is behind; why, and where the chain is, is for the operator. */
function healthOf(batcher: BatcherStatus, chain: ChainConnection, store: Store, batchIntervalMs: number): HealthSource {
  const devChain = chain.devChain?.status() ?? null;
  return {
    batcher,
    devChain,
    // The longest wait for an anchor: the first record waiting for the sequencer, or the first batch closed and not
    // yet anchored (its records were accepted before it closed, so the wait shown is if anything short).
    waitingSince: async () => {
      const [{ oldestAcceptedAt }, batch] = await Promise.all([store.records.waiting(), store.batches.firstUnanchored()]);
      const since = [oldestAcceptedAt, batch?.closedAt].filter((at): at is string => at !== undefined && at !== null).map((at) => Date.parse(at));
      return since.length === 0 ? null : new Date(Math.min(...since));
    },
    maxWaitMs: 2 * batchIntervalMs,
    details: { chain: { chainId: chain.client.chainId, contract: chain.client.contract, devRpcUrl: chain.devChain?.rpcUrl ?? null }, batcher, devChain },
  };
}

/** The dev chain keeps dying: an alert in a transaction of its own (a chain restart changes no document). */
async function devChainUnstable(store: Store<AlertSchema>, log: (line: string) => void, report: UnstableReport): Promise<void> {
  const code = "DEV_CHAIN_RESTARTING";
  const { recentExits, windowMs, last } = report;
  log(`[${severityOf(code)}] ${code}: the dev chain exited ${recentExits} times within ${windowMs / 1000} s; it is started again with backoff`);
  const data = { exits: recentExits, windowSeconds: windowMs / 1000, exitCode: last.code, signal: last.signal };
  await store.transaction((tx) => raiseAlert(tx, { code, at: new Date(), company: SYSTEM_COMPANY, subject: "dev-chain", source: "dev-chain", data }));
  alertsRaised.inc({ code });
}

/**
 * A WAL sync failed: nothing more can be acknowledged, and the store has refused every waiting caller. Exit non-zero
 * (after a moment, so those callers' 5xx answers leave) and let the supervisor restart on a sound file.
 */
function exitOnStoreFailure(err: Error): void {
  console.error(`fatal: ${err.message} (${String(err.cause)}); exiting`);
  process.exitCode = 1;
  setTimeout(() => {
    logDestination.flushSync();
    process.exit(1);
  }, 100);
}

/**
 * SEALPROOF_FAILPOINT=during-sequence|after-close|after-send|after-confirm (batcher), after-idempotent-write (a write guarded by
 * an Idempotency-Key is durable, its response not yet stored), after-outbox-commit (a transaction with a test outbox
 * entry is durable, the entry not yet delivered) or a DeviceFailpoint makes the process kill itself there (crash tests).
 */
function failpointFromEnv(): ((point: Failpoint | DeviceFailpoint | "after-idempotent-write" | "after-outbox-commit") => void) | undefined {
  const target = process.env.SEALPROOF_FAILPOINT;
  if (!target) return undefined;
  return (point) => {
    if (point === target) process.kill(process.pid, "SIGKILL");
  };
}

/** Test-only (SEALPROOF_TEST_OUTBOX_TARGET): the failpoint after a test entry commits; SEALPROOF_TEST_OUTBOX_HOLD_MS keeps its transaction open. */
function testOutboxHooks(failpoint: ReturnType<typeof failpointFromEnv>): TestOutboxHooks {
  return { afterCommit: () => failpoint?.("after-outbox-commit"), holdMs: Number(process.env.SEALPROOF_TEST_OUTBOX_HOLD_MS ?? 0) };
}

async function listen(server: Server): Promise<Server> {
  await new Promise<void>((resolve, reject) => server.once("listening", resolve).once("error", reject));
  return server;
}

/** The service's own address as it listens (the port chosen when PORT=0): receipt links when PUBLIC_BASE_URL is unset. */
function listeningUrl(config: Config, server: Server): string {
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : config.port;
  return `http://${config.host}:${port}`;
}

function announce(logger: Logger, config: Config, server: Server, adapter: string, operator: ReturnType<typeof resolveOperatorToken>, visitors: PublicChainAccess): void {
  logger.info(`sealproof ${VERSION} listening on ${listeningUrl(config, server)} (store: ${adapter}${adapter === "sqlite" ? `, data in ${config.dataDir}` : ""})`);
  logger.info(`verify page: ${config.publicBaseUrl ?? listeningUrl(config, server)}/v/<receipt id>; visitors read the chain ${visitors.proxyUpstream ? "through /rpc (read-only proxy)" : visitors.pageRpcUrl ? `at ${visitors.pageRpcUrl}` : "at an endpoint they enter (set PUBLIC_RPC_URL, or RPC_PROXY=on)"}`);
  // The token itself never goes to stdout, which often ends up in logs that others can read.
  if (operator.created) logger.info(`operator token: new, saved to ${operator.file} (readable by this user only; it begins ${operator.token.slice(0, 6)}…)`);
  else logger.info(`operator token: ${operator.file ? `in ${operator.file}` : "from OPERATOR_TOKEN"}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError || err instanceof CommandKeyError ? `configuration error: ${err.message}` : err);
  process.exit(1);
});
