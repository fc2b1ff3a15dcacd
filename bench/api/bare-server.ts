// The floor of the api benchmark: node:http + ioredis doing only the Redis GET of the cached
// record and sending it — no routing, auth, headers, metrics or logging.
// Usage: node bare-server.ts <port> <redis-url>
import { createServer } from 'node:http';
import { Redis } from 'ioredis';

const port = Number(process.argv[2]);
const redis = new Redis(process.argv[3] ?? 'redis://127.0.0.1:6379', { enableOfflineQueue: false });
redis.on('error', () => {});
await new Promise((resolve) => redis.once('ready', resolve));

createServer((req, res) => {
  // /v1/users/<tgid>/recommendations → recommendations:user:<tgid>
  const tgid = (req.url ?? '').split('/')[3];
  redis.get(`recommendations:user:${tgid}`).then(
    (raw) => {
      if (raw === null) {
        res.statusCode = 404;
        res.end();
        return;
      }
      res.writeHead(200, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(raw),
      });
      res.end(raw);
    },
    () => {
      res.statusCode = 503;
      res.end();
    },
  );
}).listen(port, '127.0.0.1', () => console.log('listening'));

process.on('SIGTERM', () => process.exit(0));
