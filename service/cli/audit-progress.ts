// Progress of `audit verify` on stderr: a bar with the rate and time left on a terminal, a plain line every tenth
// of the way when stderr is a pipe or a log.

const REDRAW_MS = 200;
const BAR = 24;

export interface AuditProgress {
  update(done: number, total: number, items: number): void;
  done(): void;
}

export function auditProgress(label: string, unit: string, tty = process.stderr.isTTY === true): AuditProgress {
  const started = Date.now();
  let shownAt = 0;
  let shown = false;
  let lastTenth = -1;
  return {
    update(done, total, items) {
      const fraction = total === 0 ? 1 : Math.min(1, done / total);
      const elapsed = (Date.now() - started) / 1000;
      const rate = elapsed > 0 ? Math.round(items / elapsed) : 0;
      const eta = fraction > 0 ? Math.round((elapsed / fraction) * (1 - fraction)) : null;
      if (!tty) {
        const tenth = Math.floor(fraction * 10);
        if (tenth <= lastTenth) return;
        lastTenth = tenth;
        process.stderr.write(`${label}: ${tenth * 10}% (${items} ${unit}, ${rate}/s)\n`);
        return;
      }
      const now = Date.now();
      if (now - shownAt < REDRAW_MS) return;
      shownAt = now;
      shown = true;
      const filled = Math.round(fraction * BAR);
      process.stderr.write(`\r${label} [${"#".repeat(filled)}${"-".repeat(BAR - filled)}] ${Math.floor(fraction * 100)}% ${items} ${unit} ${rate}/s ETA ${eta === null ? "?" : `${eta}s`}\x1b[K`);
    },
    done() {
      if (tty && shown) process.stderr.write("\r\x1b[K");
    },
  };
}
