// Progress of a long command on stderr, one line rewritten in place, shown only on a terminal (never in a pipe or a log).

const REDRAW_MS = 200;

export interface Progress {
  update(done: number, total: number): void;
  done(): void;
}

/** `label` and a percentage, redrawn at most every REDRAW_MS; `unit` names what is counted. Undefined off a terminal. */
export function terminalProgress(label: string, unit: string): Progress | undefined {
  if (!process.stderr.isTTY) return undefined;
  let shownAt = 0;
  let shown = false;
  return {
    update: (done, total) => {
      const now = Date.now();
      if (now - shownAt < REDRAW_MS) return;
      shownAt = now;
      shown = true;
      process.stderr.write(`\r${label}: ${total === 0 ? 100 : Math.floor((100 * done) / total)}% (${done} of ${total} ${unit})`);
    },
    done: () => {
      if (shown) process.stderr.write("\r\x1b[K");
    },
  };
}
