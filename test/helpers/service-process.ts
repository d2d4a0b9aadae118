// Runs the real service as `npm start` does (the bundle pretest builds into dist/service) as a child process
// with its own DATA_DIR and embedded dev chain, for crash and restart tests.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { freePort } from "../../service/free-port";
import { SERVICE_MAIN } from "../../scripts/build-service";

export { freePort };

const ROOT = path.resolve(__dirname, "..", "..");
export const PROCESS_OPERATOR_TOKEN = "op_process_test_token";

export interface ServiceProcess {
  url: string;
  rpcUrl: string;
  child: ChildProcess;
  output: () => string;
  /** SIGTERM and wait: the clean shutdown `npm start` gets on Ctrl-C. */
  stop(): Promise<void>;
  exited: Promise<number | null>;
}

/** `nodeArgs`: flags for the service's node (a bench runs it with the start script's, and --cpu-prof on request). */
export async function startServiceProcess(dataDir: string, ports: { http: number; chain: number }, env: Record<string, string> = {}, nodeArgs: string[] = []): Promise<ServiceProcess> {
  let output = "";
  const child = spawn(process.execPath, ["--enable-source-maps", ...nodeArgs, SERVICE_MAIN], {
    cwd: ROOT,
    env: { ...process.env, DATA_DIR: dataDir, PORT: String(ports.http), DEV_CHAIN_PORT: String(ports.chain), HOST: "127.0.0.1", OPERATOR_TOKEN: PROCESS_OPERATOR_TOKEN, BATCH_INTERVAL_MS: "200", VERIFY_WORKERS: "0", MQTT_PORT: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (c: Buffer) => (output += c.toString()));
  child.stderr?.on("data", (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const url = `http://127.0.0.1:${ports.http}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`service exited during start-up:\n${output}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (i > 600) throw new Error(`service not healthy after 60 s:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    rpcUrl: `http://127.0.0.1:${ports.chain}`,
    child,
    output: () => output,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}
