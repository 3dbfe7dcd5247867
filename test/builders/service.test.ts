import { describe, expect, it } from 'vitest';
import { container, daemonSet, deployment, expose, pod, statefulSet } from '../../src/builders.js';
import type { Deployment } from '../../generated/models.js';
import { builderError } from './helpers.js';

const tpl = pod()
  .label('app', 'web')
  .container(container('web', 'nginx:1.27').port(8080, 'http').port(9090, 'metrics'))
  .sidecar(container('dns', 'dnsmasq').port(53, 'dns', { protocol: 'UDP' }));
const web = deployment('web', tpl).namespace('shop').replicas(2);

describe('expose()', () => {
  it('a Service from a Deployment: selector, name and namespace from the workload, target port by name', () => {
    expect(expose(web, { port: 80, targetPort: 'http', type: 'ClusterIP' }).build()).toEqual({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'shop' },
      spec: { type: 'ClusterIP', selector: { app: 'web' }, ports: [{ port: 80, targetPort: 'http' }] },
    });
  });

  it('target port by number; unset type and targetPort stay unset', () => {
    expect(expose(web, { port: 8080 }).build().spec).toEqual({ selector: { app: 'web' }, ports: [{ port: 8080 }] });
    expect(expose(web, { port: 80, targetPort: 9090 }).build().spec?.ports).toEqual([{ port: 80, targetPort: 9090 }]);
  });

  it('NodePort, LoadBalancer, headless', () => {
    expect(expose(web, { port: 80, targetPort: 'http', type: 'NodePort', nodePort: 30080 }).build().spec).toMatchObject({ type: 'NodePort', ports: [{ port: 80, targetPort: 'http', nodePort: 30080 }] });
    expect(expose(web, { port: 80, targetPort: 'http', type: 'LoadBalancer' }).externalTrafficPolicy('Local').build().spec).toMatchObject({ type: 'LoadBalancer', externalTrafficPolicy: 'Local' });
    const headless = expose(web, { port: 8080, type: 'Headless', serviceName: 'web-peers' }).publishNotReadyAddresses().build();
    expect(headless.metadata?.name).toBe('web-peers');
    expect(headless.spec).toEqual({ clusterIP: 'None', selector: { app: 'web' }, ports: [{ port: 8080 }], publishNotReadyAddresses: true });
    expect(expose(web, { type: 'Headless' }).build().spec).toEqual({ clusterIP: 'None', selector: { app: 'web' } });
  });

  it('several ports, named; sidecar ports count; UDP', () => {
    const s = expose(web, {
      ports: [
        { name: 'http', port: 80, targetPort: 'http' },
        { name: 'metrics', port: 9090, targetPort: 'metrics', appProtocol: 'http' },
        { name: 'dns', port: 53, targetPort: 'dns', protocol: 'UDP' },
      ],
    })
      .sessionAffinity('ClientIP')
      .label('team', 'a')
      .build();
    expect(s.spec?.ports).toHaveLength(3);
    expect(s.spec?.sessionAffinity).toBe('ClientIP');
    expect(s.metadata?.labels).toEqual({ team: 'a' });
  });

  it('ports the containers do not declare are an error naming what they do declare', () => {
    builderError(() => expose(web, { port: 80, targetPort: 'https' }), 'PortNotExposed', /targets container port 'https', which no container of 'web' declares; declared: 8080\/TCP 'http' \(web\)/);
    builderError(() => expose(web, { port: 80 }), 'PortNotExposed', /no targetPort given, so it is the same number as port/);
    builderError(() => expose(web, { port: 80, targetPort: 7777 }), 'PortNotExposed');
    builderError(() => expose(web, { port: 53, targetPort: 53 }), 'PortNotExposed'); // 53 is UDP, the Service port TCP
    builderError(() => expose(web, { port: 53, targetPort: 'dns' }), 'PortNotExposed', /declares it as UDP/);
    builderError(() => expose(deployment('x', pod().label('a', 'b').container(container('c', 'x'))), { port: 80 }), 'PortNotExposed', /declare no ports/);
  });

  it('service mistakes are errors', () => {
    const s = expose(web, { port: 80, targetPort: 'http' });
    builderError(() => s.port({ port: 80, targetPort: 'metrics' }), 'DuplicatePort', /already listens on 80\/TCP/);
    builderError(() => s.port({ port: 81, targetPort: 'metrics' }).build(), 'InvalidArgument', /each needs a name/);
    builderError(() => expose(web, { port: 80, targetPort: 'http', nodePort: 30000 }).build(), 'InvalidArgument', /nodePort needs type/);
    builderError(() => expose(web).build(), 'InvalidArgument', /has no ports/);
    builderError(() => expose(web, { targetPort: 'http' }), 'InvalidArgument', /need a port/);
    builderError(() => expose(pod('bare').container(container('c', 'x').port(80))), 'SelectorMismatch', /no labels/);
    const matchExpr: Deployment = { ...web.build(), spec: { ...web.build().spec!, selector: { matchExpressions: [{ key: 'app', operator: 'Exists' }] } } };
    builderError(() => expose(matchExpr, { port: 8080 }), 'SelectorMismatch', /matchExpressions/);
  });

  it('works from bare Pods, StatefulSets, DaemonSets and plain objects', () => {
    const p = pod('one').label('app', 'one').container(container('c', 'x').port(80, 'http'));
    expect(expose(p, { port: 80 }).build().spec?.selector).toEqual({ app: 'one' });
    expect(expose(p.build(), { port: 80 }).build().metadata?.name).toBe('one');
    expect(expose(statefulSet('db', tpl), { port: 8080, type: 'Headless' }).build().spec?.clusterIP).toBe('None');
    expect(expose(daemonSet('agent', tpl), { port: 9090, targetPort: 'metrics' }).build().spec?.selector).toEqual({ app: 'web' });
    expect(expose(web.build(), { port: 80, targetPort: 'http' }).build().metadata?.namespace).toBe('shop');
  });
});
