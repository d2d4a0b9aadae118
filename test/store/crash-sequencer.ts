// Child process of the sequencer-thread crash test: accepts `count` records, waits for the sequencer thread, then
// sequences batches of `max` through it (each next one prepared there while one commits) until it is killed, printing
// "closed <id> <firstSeq> <count>" for each batch sequence() resolved.
import { batchTree } from "../../service/anchoring/batch-tree";
import { openSqliteStore } from "../../service/store/sqlite";
import { draft } from "./fixtures";

async function main(file: string, count: number, max: number): Promise<void> {
  let ready = (): void => undefined;
  const started = new Promise<void>((resolve) => (ready = resolve));
  const store = await openSqliteStore(file, { sequenceOffThreadFrom: 1, onSequencerThreadReady: () => ready() });
  for (let n = 0; n < count; n += 500) await store.records.append(Array.from({ length: Math.min(500, count - n) }, (_, i) => draft(`c_${(n + i) % 4}`, { n: n + i }, "member.added")));
  await store.batches.sequence(max, new Date(), batchTree);
  await started;
  process.stdout.write("ready\n");
  for (let batch = await store.batches.sequence(max, new Date(), batchTree); batch !== null; batch = await store.batches.sequence(max, new Date(), batchTree)) {
    process.stdout.write(`closed ${batch.id} ${batch.firstSeq} ${batch.count}\n`);
  }
  process.stdout.write("done\n");
}

const [file, count, max] = process.argv.slice(2);
main(file, Number(count), Number(max)).catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
