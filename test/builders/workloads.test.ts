import { describe, expect, it } from 'vitest';
import { container, cronJob, daemonSet, deployment, job, pod, statefulSet, storageSize, Volume } from '../../src/builders.js';
import { builderError } from './helpers.js';

const web = pod().label('app', 'web').container(container('web', 'nginx:1.27').port(80, 'http'));
const batch = pod().restartPolicy('OnFailure').container(container('work', 'busybox').command('true'));

describe('workloads', () => {
  it('Deployment: replicas, strategy; selector = template labels', () => {
    const d = deployment('web', web).replicas(2).rollingUpdate({ maxSurge: 1, maxUnavailable: '25%' }).minReadySeconds(5).revisionHistoryLimit(3).progressDeadlineSeconds(60).build();
    expect(d).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: {
        replicas: 2,
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: '25%' } },
        minReadySeconds: 5,
        revisionHistoryLimit: 3,
        progressDeadlineSeconds: 60,
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 80, name: 'http' }] }] } },
      },
    });
    expect(deployment('web', web).recreate().build().spec?.strategy).toEqual({ type: 'Recreate' });
    expect(deployment('web', web).paused().build().spec?.paused).toBe(true);
    expect(deployment('web', web).build().spec).not.toHaveProperty('replicas');
  });

  it('.select() narrows the selector and adds missing labels to the template', () => {
    const tpl = web.label('version', 'v1');
    const d = deployment('web', tpl).select({ app: 'web' }).build();
    expect(d.spec?.selector).toEqual({ matchLabels: { app: 'web' } });
    expect(d.spec?.template.metadata?.labels).toEqual({ app: 'web', version: 'v1' });
    const d2 = deployment('web', tpl).select({ app: 'web', tier: 'fe' }).build();
    expect(d2.spec?.template.metadata?.labels).toEqual({ app: 'web', version: 'v1', tier: 'fe' });
    // A replaced template keeps the chosen selector consistent too.
    const d3 = deployment('web', tpl).select({ tier: 'fe' }).template(pod().label('app', 'other').container(container('c', 'x'))).build();
    expect(d3.spec?.template.metadata?.labels).toEqual({ app: 'other', tier: 'fe' });
  });

  it('selector mistakes are errors', () => {
    builderError(() => deployment('web', web).select({ app: 'other' }), 'SelectorMismatch', /selects app=other, but its pod template has app=web/);
    builderError(() => deployment('web', pod().container(container('c', 'x'))).build(), 'SelectorMismatch', /nothing to select its pods by/);
    builderError(() => deployment('web', web).select({}), 'SelectorMismatch');
  });

  it('restart policies are checked per kind', () => {
    builderError(() => deployment('web', web.restartPolicy('Never')).build(), 'InvalidRestartPolicy', /Deployment's pods need restartPolicy Always, not Never/);
    builderError(() => job('j', web).build(), 'InvalidRestartPolicy', /Job's pods need restartPolicy OnFailure or Never, and the template sets none/);
  });

  it('numbers are checked', () => {
    builderError(() => deployment('web', web).replicas(-1), 'InvalidArgument');
    builderError(() => deployment('web', web).replicas(1.5), 'InvalidArgument');
    builderError(() => deployment('web', web).rollingUpdate({ maxSurge: '10' as never }), 'InvalidArgument', /percentage/);
    builderError(() => deployment('web', web).rollingUpdate({ maxSurge: 0, maxUnavailable: 0 }), 'InvalidArgument', /both be 0/);
  });

  it('StatefulSet: serviceName, policies, claim templates lifted from mounts', () => {
    const data = Volume.claimTemplate('data', { storage: storageSize('1Gi'), accessModes: ['ReadWriteOnce'], storageClassName: 'standard' });
    const tpl = pod().label('app', 'db').container(container('db', 'postgres:17').port(5432, 'pg').mount(data, '/var/lib/postgresql/data'));
    const s = statefulSet('db', tpl).replicas(3).serviceName('db').podManagementPolicy('Parallel').rollingUpdate({ partition: 1 }).persistentVolumeClaimRetentionPolicy({ whenDeleted: 'Delete' }).build();
    expect(s.spec).toMatchObject({
      replicas: 3,
      serviceName: 'db',
      podManagementPolicy: 'Parallel',
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete' },
      selector: { matchLabels: { app: 'db' } },
      volumeClaimTemplates: [
        { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: 'standard' } },
      ],
    });
    expect(s.spec?.template.spec).not.toHaveProperty('volumes');
    expect(s.spec?.template.spec?.containers[0]?.volumeMounts).toEqual([{ name: 'data', mountPath: '/var/lib/postgresql/data' }]);
    expect(statefulSet('db', tpl).onDelete().build().spec?.updateStrategy).toEqual({ type: 'OnDelete' });
    builderError(() => deployment('db', tpl).build(), 'InvalidArgument', /only work in a StatefulSet/);
  });

  it('DaemonSet: update strategy', () => {
    const d = daemonSet('agent', pod().label('app', 'agent').container(container('agent', 'agent:1'))).rollingUpdate({ maxUnavailable: 1 }).build();
    expect(d).toMatchObject({ apiVersion: 'apps/v1', kind: 'DaemonSet', spec: { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } }, selector: { matchLabels: { app: 'agent' } } } });
    expect(daemonSet('agent', pod().label('app', 'agent').container(container('agent', 'agent:1'))).onDelete().build().spec?.updateStrategy).toEqual({ type: 'OnDelete' });
  });

  it('Job: completions, parallelism, backoff, deadlines; no selector is written', () => {
    const j = job('migrate', batch).completions(3).parallelism(2).backoffLimit(1).activeDeadlineSeconds(600).ttlSecondsAfterFinished(60).completionMode('Indexed').suspend().build();
    expect(j).toEqual({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'migrate' },
      spec: {
        completions: 3,
        parallelism: 2,
        backoffLimit: 1,
        activeDeadlineSeconds: 600,
        ttlSecondsAfterFinished: 60,
        completionMode: 'Indexed',
        suspend: true,
        template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'work', image: 'busybox', command: ['true'] }] } },
      },
    });
  });

  it('CronJob: schedule, concurrency, time zone, history; job settings shared with Job', () => {
    const c = cronJob('backup', '0 3 * * *', batch).concurrencyPolicy('Forbid').timeZone('Europe/Berlin').successfulJobsHistoryLimit(1).failedJobsHistoryLimit(2).startingDeadlineSeconds(100).suspend(false).backoffLimit(2).build();
    expect(c.spec).toMatchObject({
      schedule: '0 3 * * *',
      concurrencyPolicy: 'Forbid',
      timeZone: 'Europe/Berlin',
      successfulJobsHistoryLimit: 1,
      failedJobsHistoryLimit: 2,
      startingDeadlineSeconds: 100,
      suspend: false,
      jobTemplate: { spec: { backoffLimit: 2, template: { spec: { restartPolicy: 'OnFailure' } } } },
    });
    expect(cronJob('b', '@daily', batch).schedule('*/5 * * * *').build().spec?.schedule).toBe('*/5 * * * *');
    builderError(() => cronJob('b', '0 3 * *', batch), 'InvalidArgument', /five fields/);
  });

  it('workload metadata is the workload’s own', () => {
    const d = deployment('web', web).namespace('shop').label('team', 'a').annotation('example.com/x', 'y').build();
    expect(d.metadata).toEqual({ name: 'web', namespace: 'shop', labels: { team: 'a' }, annotations: { 'example.com/x': 'y' } });
    expect(d.spec?.template.metadata).toEqual({ labels: { app: 'web' } });
  });
});
