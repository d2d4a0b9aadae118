// Preloaded (node --require) into the sealproof CLI processes bench:audit runs: as the process exits, its peak RSS
// (getrusage's maxrss, in kB: every thread of the process) goes to stderr, where the bench reads it.
const { isMainThread } = require("node:worker_threads");

if (isMainThread) process.on("exit", () => require("node:fs").writeSync(2, `\npeak-rss-kb ${process.resourceUsage().maxRSS}\n`));
