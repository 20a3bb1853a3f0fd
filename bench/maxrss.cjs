// Preloaded into a benchmarked bundle (node --require): on exit, writes the process's peak resident set
// size (process.resourceUsage().maxRSS, in KiB) to the file named by BENCH_MAXRSS_FILE.
const { writeFileSync } = require('node:fs');
process.on('exit', () => {
  const file = process.env.BENCH_MAXRSS_FILE;
  if (file) writeFileSync(file, String(process.resourceUsage().maxRSS));
});
