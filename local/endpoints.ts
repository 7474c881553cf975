/**
 * The Function URLs on loopback: `/webhook/<token>` runs the webhook function and `/seller/<action>` the seller
 * API, each with a Lambda Function URL (payload 2.0) event built from the HTTP request (rawPath after the prefix).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { type Handler, lambdaContext } from './tasks';

export interface Endpoints {
  url: string;
  close(): Promise<void>;
}

const MAX_READ = 1024 * 1024;

function toEvent(req: IncomingMessage, rawPath: string, body: string): APIGatewayProxyEventV2 {
  const [path, query = ''] = rawPath.split('?') as [string, string?];
  const headers = Object.fromEntries(
    Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : (v ?? '')]),
  );
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: query,
    headers,
    isBase64Encoded: false,
    body,
    requestContext: {
      accountId: 'anonymous',
      apiId: 'local',
      domainName: String(req.headers.host ?? 'localhost'),
      domainPrefix: 'local',
      http: {
        method: req.method ?? 'GET',
        path,
        protocol: 'HTTP/1.1',
        sourceIp: req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '',
        userAgent: String(req.headers['user-agent'] ?? ''),
      },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: new Date().toISOString(),
      timeEpoch: Date.now(),
    },
  };
}

export async function startEndpoints(routes: Record<string, Handler>): Promise<Endpoints> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_READ) chunks.push(c);
    });
    req.on('end', async () => {
      const url = req.url ?? '/';
      const prefix = Object.keys(routes).find((p) => url.startsWith(`/${p}/`) || url === `/${p}`);
      if (!prefix) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'not found' }));
        return;
      }
      const event = toEvent(req, url.slice(prefix.length + 1) || '/', Buffer.concat(chunks).toString('utf8'));
      try {
        const result = (await (routes[prefix] as Handler)(
          event,
          lambdaContext(`arn:aws:lambda:local:000000000000:function:${prefix}`),
        )) as APIGatewayProxyStructuredResultV2;
        res.writeHead(result.statusCode ?? 200, result.headers as Record<string, string>);
        res.end(result.body ?? '');
      } catch (error) {
        res.writeHead(502, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'ERROR_UNKNOWN', message: (error as Error).message, details: null } }));
      }
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
