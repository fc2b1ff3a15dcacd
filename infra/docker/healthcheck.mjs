// Container HEALTHCHECK without curl in the slim image:
//   node healthcheck.mjs <PORT_VARIABLE> <default port> <path>
// Exit 0 when http://127.0.0.1:<port><path> answers 2xx within 2.5 s, 1 otherwise.
const [portVar, defaultPort, path] = process.argv.slice(2);
const port = Number(process.env[portVar] || defaultPort);
try {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(2_500) });
  process.exit(res.ok ? 0 : 1);
} catch {
  process.exit(1);
}
