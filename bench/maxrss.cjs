// Preloaded into a benchmarked bundle (node --require): on exit, writes to the file named by
// BENCH_MAXRSS_FILE, as JSON, the process's peak resident set size (process.resourceUsage().maxRSS) and,
// on Linux, how its resident memory at exit splits into its own (anonymous) memory and file-backed pages:
// mostly the node binary's own code and data, which grows with the Node version and the built-in modules
// in use, and is shared with every other node process. All in KiB; the split is null elsewhere.
const { readFileSync, writeFileSync } = require('node:fs');
process.on('exit', () => {
  const file = process.env.BENCH_MAXRSS_FILE;
  if (!file) return;
  let status = '';
  try {
    status = readFileSync('/proc/self/status', 'utf8');
  } catch {
    // not Linux
  }
  const kib = (name) => {
    const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status);
    return m ? Number(m[1]) : null;
  };
  writeFileSync(file, JSON.stringify({ maxRss: process.resourceUsage().maxRSS, anon: kib('RssAnon'), file: kib('RssFile') }));
});
