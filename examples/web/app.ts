/**
 * The demo page's script (examples/web/index.html): a live Pod list for one namespace through an
 * informer over watch, and a Deployment created and scaled with the builders — all from the
 * browser, same-origin through `kubectl proxy --www`. Build it with examples/web/build.ts.
 */
import { handleSource, Informer, Kube, type Pod, serverConfig } from 'kubefluent/portable';
import { container, deployment, pod } from 'kubefluent/builders';

const namespace = new URLSearchParams(location.search).get('ns') ?? 'default';
// The proxy serves the API at the page's origin and adds the credentials: no token in the page.
const kube = new Kube(serverConfig({ server: location.origin, namespace }), { fieldManager: 'web-demo' });
const el = (id: string): HTMLElement => document.getElementById(id) as HTMLElement;
el('ns').textContent = namespace;
const log = (line: string): void => void (el('log').textContent = `${new Date().toLocaleTimeString()} ${line}\n${el('log').textContent ?? ''}`.slice(0, 2000));

const pods = new Informer<Pod>(handleSource(kube.pods.namespace(namespace)), {
  onError: (p) => log(`${p.source}: ${String(p.error instanceof Error ? p.error.message : p.error).slice(0, 160)}`),
});

function render(): void {
  const rows = pods.list().sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
  el('pods').replaceChildren(...rows.map((p) => {
    const tr = document.createElement('tr');
    const phase = p.status?.phase ?? 'Pending';
    for (const [text, cls] of [[p.metadata?.name ?? '', ''], [phase, phase], [p.spec?.nodeName ?? '-', ''], [p.metadata?.creationTimestamp ?? '', '']] as const) {
      const td = document.createElement('td');
      td.textContent = text;
      if (cls) td.className = cls;
      tr.append(td);
    }
    return tr;
  }));
  el('health').textContent = pods.health.state;
}
pods.addEventHandler({ add: render, update: render, delete: render });
pods.onHealth(render);
setInterval(render, 1000);

const web = deployment('web', pod().label('app', 'web').container(container('web', 'nginx:1.27').port(80, 'http'))).namespace(namespace);

el('create').addEventListener('click', () => {
  const replicas = Number((el('replicas') as HTMLInputElement).value);
  kube.deployments.namespace(namespace).apply(web.replicas(replicas).build())
    .then(() => log(`applied Deployment web (${replicas} replicas)`), (e: Error) => log(`${e.name}: ${e.message}`));
});
el('scale').addEventListener('click', () => {
  const replicas = Number((el('replicas') as HTMLInputElement).value);
  kube.scale({ kind: 'Deployment', name: 'web', namespace }, replicas)
    .then(() => log(`scaled Deployment web to ${replicas}`), (e: Error) => log(`${e.name}: ${e.message}`));
});

pods.start();
pods.synced.then(() => log(`synced: ${pods.list().length} pods`), (e: Error) => log(`${e.name}: ${e.message}`));

// For the test (test/portable/browser.int.test.ts): what the page shows, without scraping.
(globalThis as { demo?: unknown }).demo = { pods: () => pods.list().map((p) => ({ name: p.metadata?.name, phase: p.status?.phase })), health: () => pods.health };
