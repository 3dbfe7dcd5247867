/**
 * TLS and client certificates for fetch, per runtime: fetch has no standard way to trust a
 * CA or present a client certificate, so each runtime's own knob is used. Deno:
 * `Deno.createHttpClient` (passed as `client`); Bun: fetch's `tls` option; a browser: its
 * own TLS (the page cannot pick a CA or a key). Node's fetch needs an undici dispatcher,
 * which this build cannot import: pass one through `fetchOptions` or use the node:http
 * Transport (Node's default). What a runtime cannot do fails with a UsageError saying
 * what to do instead.
 */
import type { ClusterConfig } from '../../config/cluster-config.js';
import type { ClientCertificate } from '../../config/credentials.js';
import { UsageError } from '../../core/errors.js';

export type FetchRuntime = 'deno' | 'bun' | 'node' | 'browser' | 'worker';

interface DenoLike {
  readonly version?: { readonly deno?: string };
  createHttpClient?(options: { caCerts?: string[]; cert?: string; key?: string }): { close(): void };
}

/** Which runtime this code runs on (by its globals, not by the user agent). */
export function detectRuntime(): FetchRuntime {
  const g = globalThis as { Deno?: DenoLike; Bun?: unknown; process?: { versions?: { node?: string } }; document?: unknown; WorkerGlobalScope?: unknown };
  if (g.Deno?.version?.deno) return 'deno';
  if (g.Bun !== undefined) return 'bun';
  if (g.process?.versions?.node) return 'node';
  if (g.document !== undefined) return 'browser';
  return 'worker';
}

/** The extra fetch options (beside the Request) that carry this config's TLS on `runtime`; `close` frees them. */
export interface RuntimeTls {
  readonly init: Readonly<Record<string, unknown>>;
  close(): void;
}

const NONE: RuntimeTls = { init: {}, close: () => undefined };

/**
 * The fetch options for the config's TLS (CA, client certificate, skip-verify, server name).
 * `custom` is true when the caller supplies its own fetch options or fetch (then the
 * caller owns TLS and nothing is checked here).
 */
export function runtimeTls(config: ClusterConfig, cert: ClientCertificate | undefined, runtime: FetchRuntime, custom: boolean): RuntimeTls {
  if (custom) return NONE;
  const tls = config.tls;
  const https = config.server.startsWith('https:');
  const ca = https ? tls.ca : undefined;
  const skip = https && tls.insecureSkipTlsVerify;
  const needs = ca !== undefined || cert !== undefined || skip || (https && tls.serverName !== undefined);
  if (!needs) return NONE;
  const where = config.context ? ` (context "${config.context}")` : '';
  if (runtime === 'deno') {
    const Deno = (globalThis as { Deno?: DenoLike }).Deno;
    if (skip) throw new UsageError(`insecure-skip-tls-verify${where}: Deno cannot skip TLS verification per client; give the cluster's certificate-authority-data instead (or run deno with --unsafely-ignore-certificate-errors=<host>)`);
    if (!Deno?.createHttpClient) throw new UsageError(`this Deno has no Deno.createHttpClient, needed for the cluster's CA or client certificate${where}; use Deno 1.25 or later`);
    const client = Deno.createHttpClient({ ...(ca ? { caCerts: [ca] } : {}), ...(cert ? { cert: cert.cert, key: cert.key } : {}) });
    return { init: { client }, close: () => client.close() };
  }
  if (runtime === 'bun') {
    return {
      init: { tls: { ...(ca ? { ca } : {}), ...(cert ? { cert: cert.cert, key: cert.key } : {}), ...(skip ? { rejectUnauthorized: false } : {}), ...(tls.serverName ? { serverName: tls.serverName } : {}) } },
      close: () => undefined,
    };
  }
  if (runtime === 'node') {
    throw new UsageError(`the fetch transport on Node cannot set the cluster's CA or client certificate${where} by itself: use the default node:http Transport on Node, or pass fetchOptions: { dispatcher: new (await import('undici')).Agent({ connect: { ca, cert, key } }) }`);
  }
  if (cert !== undefined) {
    throw new UsageError(`a client certificate${where} cannot be used from a ${runtime}: the browser chooses client certificates itself. Reach the API server through \`kubectl proxy\` (same origin, optionally serving the page with --www), or use a bearer token with an API server started with --cors-allowed-origins`);
  }
  // A browser or worker trusts what its platform trusts; a CA in the config cannot be added from a page.
  return NONE;
}
