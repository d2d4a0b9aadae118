// Child process of the crash test: accepts records in concurrent transactions until it is killed, printing
// "acked <record id> <n>" for each one transaction() has acknowledged.
import { openSqliteStore } from "../../service/store/sqlite";
import { draft } from "./fixtures";

const CONCURRENCY = 8;

async function main(file: string): Promise<void> {
  const store = await openSqliteStore(file);
  let n = 0;
  const appender = async (): Promise<void> => {
    for (;;) {
      const mine = n++;
      const id = await store.transaction(async (tx) => (await tx.records.append([draft("c_crash", { n: mine })]))[0].id);
      process.stdout.write(`acked ${id} ${mine}\n`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, appender));
}

main(process.argv[2]).catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
