// A page for test/portable/browser.int.test.ts: the portable build's exec and openPort, called from
// Chromium through `kubectl proxy` (same origin, the proxy adds the credentials). Bundled by the test
// with the portable swap, like examples/web.
import { Kube, serverConfig } from 'kubefluent/portable';

type Outcome = { ok: true; value: unknown } | { ok: false; name: string; reason: string; message: string; cause?: string };

async function attempt(f: (kube: Kube) => Promise<unknown>, ns: string): Promise<Outcome> {
  const kube = new Kube(serverConfig({ server: (globalThis as unknown as { location: { origin: string } }).location.origin, namespace: ns }));
  try {
    return { ok: true, value: await f(kube) };
  } catch (e) {
    const err = e as Error & { reason?: string };
    const cause = err.cause instanceof Error ? err.cause.message : undefined;
    return { ok: false, name: err.name, reason: err.reason ?? '', message: err.message, ...(cause !== undefined ? { cause } : {}) };
  } finally {
    await kube.close();
  }
}

(globalThis as unknown as { streams: unknown }).streams = {
  exec: (ns: string, pod: string, command: string[]) => attempt(async (kube) => {
    const p = await kube.pods.namespace(ns).exec(pod, { command });
    return { protocol: p.protocol, ...(await p.output()) };
  }, ns),
  echo: (ns: string, pod: string, port: number, text: string) => attempt(async (kube) => {
    const s = await kube.pods.namespace(ns).openPort(pod, port);
    await s.write(text);
    let got = '';
    const dec = new TextDecoder();
    for await (const c of s) {
      got += dec.decode(c, { stream: true });
      if (got.length >= text.length) break;
    }
    s.close();
    return got;
  }, ns),
};
