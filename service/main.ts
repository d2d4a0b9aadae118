// `npm start`: the service on embedded defaults (SQLite under DATA_DIR) or on MongoDB with MONGODB_URI.
import type { Server } from "node:http";
import { loadConfig, resolveOperatorToken, ConfigError } from "./config";
import { openStore } from "./store/open";
import { createApp } from "./http/app";
import { createSm2Pool } from "./workers/sm2-pool";
import { formatRegistryCheck } from "./domain/registry-check";
import type { DomainContext } from "./domain/context";

const VERSION = "0.1.0";

async function main(): Promise<void> {
  const config = loadConfig();
  const store = await openStore({ dataDir: config.dataDir, mongodbUri: config.mongodbUri });
  const pool = createSm2Pool(config.verifyWorkers);
  const operator = resolveOperatorToken(config);
  const ctx: DomainContext = { store, now: () => new Date(), registryCheck: formatRegistryCheck, reservationTtlMs: config.reservationTtlMs, verifyUsage: pool.verify };
  const { app } = createApp({ ctx, operatorToken: operator.token, version: VERSION, bodyLimit: config.bodyLimit, publicRateLimit: config.publicRateLimit, log: (msg, err) => console.error(msg, err ?? "") });
  const server: Server = app.listen(config.port, config.host);
  await new Promise<void>((resolve, reject) => server.once("listening", resolve).once("error", reject));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : config.port;
  console.log(`sealproof ${VERSION} listening on http://${config.host}:${port} (store: ${store.adapter}${store.adapter === "sqlite" ? `, data in ${config.dataDir}` : ""})`);
  if (operator.created) console.log(`operator token (shown once, also saved to ${operator.file}):\n  ${operator.token}`);
  else console.log(`operator token: ${operator.file ? `in ${operator.file}` : "from OPERATOR_TOKEN"}`);

  const stop = async (signal: string) => {
    console.log(`${signal}: shutting down`);
    server.close();
    server.closeAllConnections();
    await pool.close();
    await store.close();
    process.exit(0);
  };
  process.once("SIGINT", () => void stop("SIGINT"));
  process.once("SIGTERM", () => void stop("SIGTERM"));
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? `configuration error: ${err.message}` : err);
  process.exit(1);
});
