/**
 * TEMPORARY test-only stand-in for Transport.upgrade (issue 12) until it lands in main:
 * node https with the kubeconfig's CA, client certificate and bearer token, and the
 * WebSocket handshake. Deleted when the real seam is merged.
 */
import { createHash, randomBytes } from 'node:crypto';
import { request as httpsRequest } from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { ClusterConfig } from '../../../src/config/cluster-config.js';
import { AbortedError, errorFromResponse } from '../../../src/core/errors.js';
import { queryString } from '../../../src/core/paths.js';
import type { UpgradeOptions, UpgradeResponse, Upgrader } from '../../../src/streams/upgrade.js';

export function standInUpgrader(config: ClusterConfig): Upgrader {
  return {
    async upgrade(options: UpgradeOptions): Promise<UpgradeResponse> {
      const creds = await config.credentials.get(options.signal);
      const url = new URL(config.server);
      const key = randomBytes(16).toString('base64');
      const cert = creds.clientCertificate ?? config.clientCertificate;
      const headers: Record<string, string> = {
        connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': key,
        'sec-websocket-protocol': options.protocols.join(', '),
      };
      if (creds.authorization) headers.authorization = creds.authorization;
      const ref = { method: 'GET', path: options.path };
      return new Promise<UpgradeResponse>((resolve, reject) => {
        const req = httpsRequest({
          host: url.hostname, port: url.port, method: 'GET', path: options.path + queryString(options.query ?? {}), headers, agent: false,
          ...(config.tls.ca ? { ca: config.tls.ca } : {}),
          ...(cert ? { cert: cert.cert, key: cert.key } : {}),
          rejectUnauthorized: !config.tls.insecureSkipTlsVerify,
          ...(options.signal ? { signal: options.signal } : {}),
        });
        const timer = typeof options.timeoutMs === 'number' ? setTimeout(() => req.destroy(new Error('upgrade timeout')), options.timeoutMs) : undefined;
        const done = (): void => clearTimeout(timer);
        req.once('upgrade', (res: IncomingMessage, socket: Socket, head: Buffer) => {
          done();
          const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
          if (res.headers['sec-websocket-accept'] !== accept) {
            socket.destroy();
            return reject(new Error('bad Sec-WebSocket-Accept'));
          }
          resolve({ protocol: String(res.headers['sec-websocket-protocol'] ?? ''), socket, head });
        });
        req.once('response', (res: IncomingMessage) => {
          done();
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => reject(errorFromResponse(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'), ref)));
        });
        req.once('error', (e) => {
          done();
          reject(options.signal?.aborted ? new AbortedError(`upgrade ${options.path}`, options.signal.reason) : e);
        });
        req.end();
      });
    },
  };
}
