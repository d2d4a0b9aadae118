// `npm start`: API, batcher and chain together. With nothing configured: SQLite and the embedded dev
// chain under DATA_DIR. With MONGODB_URI and CHAIN_RPC_URL: production stores and any EVM network.
import type { Server } from "node:http";
import { loadConfig, resolveOperatorToken, ConfigError, type Config } from "./config";
import { openStore } from "./store/open";
import { createApp } from "./http/app";
import { createSm2Pool } from "./workers/sm2-pool";
import { formatRegistryCheck } from "./domain/registry-check";
import { connectChain } from "./chain/connect";
import { Batcher } from "./anchoring/batcher";
import type { DomainContext } from "./domain/context";

const VERSION = "0.1.0";

async function main(): Promise<void> {
  const config = loadConfig();
  const log = (line: string) => console.log(line);
  const store = await openStore({ dataDir: config.dataDir, mongodbUri: config.mongodbUri });
  const chain = await connectChain(config, log);
  const batcher = new Batcher(store, chain.client, {
    batchMax: config.batchMax,
    batchIntervalMs: config.batchIntervalMs,
    confirmations: config.confirmations,
    pollMs: Math.min(250, config.batchIntervalMs),
    leaseTtlMs: 30_000,
    now: () => new Date(),
    log,
  });
  const pool = createSm2Pool(config.verifyWorkers);
  const operator = resolveOperatorToken(config);
  const ctx: DomainContext = { store, now: () => new Date(), registryCheck: formatRegistryCheck, reservationTtlMs: config.reservationTtlMs, verifyUsage: pool.verify };
  const { app } = createApp({
    ctx,
    operatorToken: operator.token,
    version: VERSION,
    bodyLimit: config.bodyLimit,
    publicRateLimit: config.publicRateLimit,
    log: (msg, err) => console.error(msg, err ?? ""),
    health: () => ({ chain: { chainId: chain.client.chainId, contract: chain.client.contract }, batcher: batcher.status }),
  });
  const server = await listen(app.listen(config.port, config.host));
  batcher.start();
  announce(config, server, store.adapter, operator);

  const stop = async (signal: string) => {
    console.log(`${signal}: shutting down`);
    server.close();
    server.closeAllConnections();
    await batcher.stop();
    await pool.close();
    await store.close();
    await chain.close();
    process.exit(0);
  };
  process.once("SIGINT", () => void stop("SIGINT"));
  process.once("SIGTERM", () => void stop("SIGTERM"));
}

async function listen(server: Server): Promise<Server> {
  await new Promise<void>((resolve, reject) => server.once("listening", resolve).once("error", reject));
  return server;
}

function announce(config: Config, server: Server, adapter: string, operator: ReturnType<typeof resolveOperatorToken>): void {
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : config.port;
  console.log(`sealproof ${VERSION} listening on http://${config.host}:${port} (store: ${adapter}${adapter === "sqlite" ? `, data in ${config.dataDir}` : ""})`);
  if (operator.created) console.log(`operator token (shown once, also saved to ${operator.file}):\n  ${operator.token}`);
  else console.log(`operator token: ${operator.file ? `in ${operator.file}` : "from OPERATOR_TOKEN"}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? `configuration error: ${err.message}` : err);
  process.exit(1);
});
