// Preloaded (node --require) into the sealproof CLI processes bench:audit runs: as the process exits, its peak RSS
// (the kernel's VmHWM, in kB: every thread of the process) goes to stderr, where the bench reads it. Not getrusage's
// maxrss: Linux carries that across fork and exec, so a child of a 440 MB bench reported ~410 MB for `node -e 0`.
const { isMainThread } = require("node:worker_threads");

function peakKb() {
  const status = require("node:fs").readFileSync("/proc/self/status", "utf8");
  const hwm = /^VmHWM:\s+(\d+) kB$/m.exec(status);
  return hwm ? Number(hwm[1]) : process.resourceUsage().maxRSS;
}

if (isMainThread) process.on("exit", () => require("node:fs").writeSync(2, `\npeak-rss-kb ${peakKb()}\n`));
