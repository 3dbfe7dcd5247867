/**
 * Workloads from a pod template: Deployment, StatefulSet, DaemonSet, Job, CronJob. Each is an
 * immutable value. The selector and the template labels are kept consistent: by default the
 * selector is the template's labels; `.select(labels)` narrows or extends it and puts any new
 * label on the template too. No label is invented: a template without labels is an error.
 *
 * @example deployment('web', pod().label('app', 'web').container(...)).replicas(2).build()
 */
import type {
  CronJob,
  CronJobSpec,
  DaemonSet,
  DaemonSetSpec,
  Deployment,
  DeploymentSpec,
  Job,
  JobSpec,
  LabelSelector,
  ObjectMeta,
  PodTemplateSpec,
  StatefulSet,
  StatefulSetSpec,
} from '../../generated/models.js';
import { BuilderError } from './errors.js';
import { onlyKeys } from './keys.js';
import { MetadataBuilder } from './metadata.js';
import { dnsSubdomain, labelValue, qualifiedName } from './names.js';
import { deepFreeze } from './objects.js';
import type { PodBuilder } from './pod.js';
import { validateBuilt } from './validate.js';

type IntOrPercent = number | `${number}%`;

interface WorkloadState<F> {
  readonly meta: ObjectMeta;
  readonly template: PodBuilder;
  /** Labels the caller chose for the selector; unset means "all template labels". */
  readonly select: Readonly<Record<string, string>> | undefined;
  readonly fields: F;
}

type RestartPolicy = 'Always' | 'OnFailure' | 'Never';

/** What every workload builder shares: metadata, the pod template and spec fields. */
abstract class WorkloadBuilder<F extends object> extends MetadataBuilder {
  protected readonly s: WorkloadState<F>;
  protected abstract readonly kind: string;
  /** Restart policies the controller accepts; `undefined` in the list means "may be left unset". */
  protected abstract readonly restartPolicies: readonly (RestartPolicy | undefined)[];

  /** @internal use the factory functions. */
  constructor(state: WorkloadState<F>) {
    super();
    this.s = deepFreeze({ ...state });
  }
  protected abstract copy(state: WorkloadState<F>): this;

  get metadata(): ObjectMeta {
    return this.s.meta;
  }
  protected withMetadata(meta: ObjectMeta): this {
    return this.copy({ ...this.s, meta });
  }
  protected set(fields: Partial<F>): this {
    return this.copy({ ...this.s, fields: { ...this.s.fields, ...fields } });
  }
  /** The pod template builder. */
  get podTemplate(): PodBuilder {
    return this.s.template;
  }
  /** Replaces the pod template (the selector chosen with `.select()` is carried over to it). */
  template(template: PodBuilder): this {
    return this.copy({ ...this.s, template: withLabels(this.kind, template, this.s.select ?? {}) });
  }

  protected templateSpec(): PodTemplateSpec {
    const claim = this.s.template.claimTemplates[0];
    if (claim !== undefined && this.kind !== 'StatefulSet') {
      throw new BuilderError('InvalidArgument', `the ${this.kind}'s pod template mounts claim template '${claim.claimTemplate.metadata.name}': claim templates only work in a StatefulSet; use Volume.ephemeral(...) or Volume.fromPersistentVolumeClaim(...)`, 'spec.template.spec.volumes');
    }
    const t = this.s.template.toTemplate();
    const policy = t.spec?.restartPolicy as RestartPolicy | undefined;
    if (!this.restartPolicies.includes(policy)) {
      const allowed = this.restartPolicies.filter((p) => p !== undefined).join(' or ');
      throw new BuilderError(
        'InvalidRestartPolicy',
        `a ${this.kind}'s pods need restartPolicy ${allowed}${policy === undefined ? ', and the template sets none' : `, not ${policy}`}: call .restartPolicy('${this.restartPolicies.find((p) => p !== undefined)}') on the pod template`,
        'spec.template.spec.restartPolicy',
      );
    }
    return t;
  }
  protected objectMeta(): ObjectMeta {
    return structuredClone(this.s.meta) as ObjectMeta;
  }
}

function withLabels(kind: string, template: PodBuilder, labels: Readonly<Record<string, string>>): PodBuilder {
  const have = template.metadata.labels ?? {};
  for (const [k, v] of Object.entries(labels)) {
    if (k in have && have[k] !== v) {
      throw new BuilderError('SelectorMismatch', `the ${kind} selects ${k}=${v}, but its pod template has ${k}=${have[k]}: the selector must match the template's labels`, 'spec.selector');
    }
  }
  return Object.keys(labels).every((k) => k in have) ? template : template.labels(labels);
}

type SelectingFields = { minReadySeconds?: number; revisionHistoryLimit?: number };

/** Workloads with a label selector whose pods run for good (Deployment, StatefulSet, DaemonSet). */
abstract class SelectingWorkload<F extends SelectingFields> extends WorkloadBuilder<F> {
  protected readonly restartPolicies = [undefined, 'Always'] as const;

  /** Seconds a new pod must be ready before it counts as available. */
  minReadySeconds(seconds: number): this {
    return this.set({ minReadySeconds: count('minReadySeconds', seconds) } as Partial<F>);
  }
  /** How many old revisions to keep for rollback. */
  revisionHistoryLimit(n: number): this {
    return this.set({ revisionHistoryLimit: count('revisionHistoryLimit', n) } as Partial<F>);
  }

  /**
   * Chooses the selector labels. Labels the template lacks are added to it (the pods must
   * carry what selects them); a template label with another value is an error.
   */
  select(labels: Readonly<Record<string, string>>): this {
    for (const [k, v] of Object.entries(labels)) {
      qualifiedName('selector key', k);
      labelValue(`selector ${k}`, v);
    }
    if (Object.keys(labels).length === 0) throw new BuilderError('SelectorMismatch', `a ${this.kind} selector needs at least one label`, 'spec.selector');
    return this.copy({ ...this.s, select: { ...labels }, template: withLabels(this.kind, this.s.template, labels) });
  }

  /** The selector that `build()` will write. */
  selector(): LabelSelector {
    const labels = this.s.select ?? this.s.template.metadata.labels ?? {};
    if (Object.keys(labels).length === 0) {
      throw new BuilderError(
        'SelectorMismatch',
        `${this.kind} '${this.s.meta.name}' has nothing to select its pods by: give the pod template a label (pod().label('app', '${this.s.meta.name}')) or call .select({...})`,
        'spec.selector',
      );
    }
    return { matchLabels: { ...labels } };
  }
}

function start<F>(kind: string, name: string, template: PodBuilder, fields: F): WorkloadState<F> {
  return { meta: { name: dnsSubdomain(`${kind} name`, name) }, template, select: undefined, fields };
}

function count(what: string, n: number, min = 0): number {
  if (!Number.isInteger(n) || n < min) throw new BuilderError('InvalidArgument', `${what} ${n} must be a whole number ≥ ${min}`, what);
  return n;
}

function intOrPercent(what: string, v: IntOrPercent): IntOrPercent {
  if (typeof v === 'number') return count(what, v);
  if (!/^[0-9]+%$/.test(v)) throw new BuilderError('InvalidArgument', `${what} ${JSON.stringify(v)} must be a count or a percentage such as '25%'`, what);
  return v;
}


/** Rolling update settings; each builder takes the ones its kind has. */
export interface RollingOptions {
  readonly maxSurge?: IntOrPercent;
  readonly maxUnavailable?: IntOrPercent;
  readonly partition?: number;
}

// `{ type: 'RollingUpdate' }`, with `rollingUpdate` only when a field was given.
function rolling(options: RollingOptions, allowed: readonly string[]): { type: 'RollingUpdate'; rollingUpdate?: { maxSurge?: IntOrPercent; maxUnavailable?: IntOrPercent; partition?: number } } {
  onlyKeys('rollingUpdate options', options, allowed, 'rollingUpdate');
  const r: { maxSurge?: IntOrPercent; maxUnavailable?: IntOrPercent; partition?: number } = {};
  if (options.maxSurge !== undefined) r.maxSurge = intOrPercent('maxSurge', options.maxSurge);
  if (options.maxUnavailable !== undefined) r.maxUnavailable = intOrPercent('maxUnavailable', options.maxUnavailable);
  if (options.partition !== undefined) r.partition = count('partition', options.partition);
  return Object.keys(r).length > 0 ? { type: 'RollingUpdate', rollingUpdate: r } : { type: 'RollingUpdate' };
}

// ---------------------------------------------------------------- Deployment

type DeploymentFields = Omit<DeploymentSpec, 'selector' | 'template'>;

/** Starts a Deployment from a pod template. */
export function deployment(name: string, template: PodBuilder): DeploymentBuilder {
  return new DeploymentBuilder(start('Deployment', name, template, {}));
}

/** An immutable Deployment under construction; start one with {@link deployment}. */
export class DeploymentBuilder extends SelectingWorkload<DeploymentFields> {
  protected readonly kind = 'Deployment';
  protected copy(s: WorkloadState<DeploymentFields>): this {
    return new DeploymentBuilder(s) as this;
  }
  /** Sets the number of pods; unset leaves it to the server (1) or to an autoscaler. */
  replicas(n: number): this {
    return this.set({ replicas: count('replicas', n) });
  }
  /** Replace pods a few at a time; unset fields keep the server's defaults (25%). */
  rollingUpdate(options: Omit<RollingOptions, 'partition'> = {}): this {
    onlyKeys('Deployment rollingUpdate options', options, ['maxSurge', 'maxUnavailable'], 'spec.strategy.rollingUpdate');
    if (options.maxSurge === 0 && options.maxUnavailable === 0) {
      throw new BuilderError('InvalidArgument', 'maxSurge and maxUnavailable cannot both be 0: the rollout could never make progress', 'spec.strategy.rollingUpdate');
    }
    return this.set({ strategy: rolling(options, ['maxSurge', 'maxUnavailable']) });
  }
  /** Stop all old pods before starting new ones. */
  recreate(): this {
    return this.set({ strategy: { type: 'Recreate' } });
  }
  /** Seconds without progress before the rollout is reported as failed. */
  progressDeadlineSeconds(seconds: number): this {
    return this.set({ progressDeadlineSeconds: count('progressDeadlineSeconds', seconds, 1) });
  }
  /** Pauses (or resumes) rollouts of template changes. */
  paused(paused = true): this {
    return this.set({ paused });
  }
  /** The Deployment object (checked against its schema once the schemas are loaded). */
  build(): Deployment {
    const spec: DeploymentSpec = { ...structuredClone(this.s.fields), selector: this.selector(), template: this.templateSpec() };
    return validateBuilt({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: this.objectMeta(), spec });
  }
}

// ---------------------------------------------------------------- StatefulSet

type StatefulSetFields = Omit<StatefulSetSpec, 'selector' | 'template' | 'volumeClaimTemplates'>;

/** Starts a StatefulSet; `Volume.claimTemplate(...)` mounts become `volumeClaimTemplates`. */
export function statefulSet(name: string, template: PodBuilder): StatefulSetBuilder {
  return new StatefulSetBuilder(start('StatefulSet', name, template, {}));
}

/** An immutable StatefulSet under construction; start one with {@link statefulSet}. */
export class StatefulSetBuilder extends SelectingWorkload<StatefulSetFields> {
  protected readonly kind = 'StatefulSet';
  protected copy(s: WorkloadState<StatefulSetFields>): this {
    return new StatefulSetBuilder(s) as this;
  }
  /** Sets the number of pods. */
  replicas(n: number): this {
    return this.set({ replicas: count('replicas', n) });
  }
  /** The headless Service that gives the pods their DNS names. */
  serviceName(name: string): this {
    return this.set({ serviceName: dnsSubdomain('serviceName', name) });
  }
  /** Starts pods one by one in order (`OrderedReady`) or all at once (`Parallel`). */
  podManagementPolicy(policy: 'OrderedReady' | 'Parallel'): this {
    return this.set({ podManagementPolicy: policy });
  }
  /** Update pods in order; `partition` holds back pods with a lower ordinal. */
  rollingUpdate(options: Pick<RollingOptions, 'partition' | 'maxUnavailable'> = {}): this {
    return this.set({ updateStrategy: rolling(options, ['partition', 'maxUnavailable']) });
  }
  /** Replaces pods only when they are deleted, not on template changes. */
  onDelete(): this {
    return this.set({ updateStrategy: { type: 'OnDelete' } });
  }
  /** Whether the pods' claims are kept or deleted when the set is deleted or scaled down. */
  persistentVolumeClaimRetentionPolicy(policy: { readonly whenDeleted?: 'Retain' | 'Delete'; readonly whenScaled?: 'Retain' | 'Delete' }): this {
    onlyKeys('persistentVolumeClaimRetentionPolicy', policy, ['whenDeleted', 'whenScaled'], 'spec.persistentVolumeClaimRetentionPolicy');
    return this.set({ persistentVolumeClaimRetentionPolicy: { ...policy } });
  }
  /** The StatefulSet object, with claim templates from mounted {@link Volume.claimTemplate}s. */
  build(): StatefulSet {
    const spec: StatefulSetSpec = { ...structuredClone(this.s.fields), selector: this.selector(), template: this.templateSpec() };
    const claims = this.s.template.claimTemplates;
    if (claims.length > 0) spec.volumeClaimTemplates = claims.map((c) => structuredClone(c.claimTemplate));
    return validateBuilt({ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: this.objectMeta(), spec });
  }
}

// ---------------------------------------------------------------- DaemonSet

type DaemonSetFields = Omit<DaemonSetSpec, 'selector' | 'template'>;

/** Starts a DaemonSet: one pod per (matching) node. */
export function daemonSet(name: string, template: PodBuilder): DaemonSetBuilder {
  return new DaemonSetBuilder(start('DaemonSet', name, template, {}));
}

/** An immutable DaemonSet under construction; start one with {@link daemonSet}. */
export class DaemonSetBuilder extends SelectingWorkload<DaemonSetFields> {
  protected readonly kind = 'DaemonSet';
  protected copy(s: WorkloadState<DaemonSetFields>): this {
    return new DaemonSetBuilder(s) as this;
  }
  /** Replace pods node by node. */
  rollingUpdate(options: Omit<RollingOptions, 'partition'> = {}): this {
    return this.set({ updateStrategy: rolling(options, ['maxSurge', 'maxUnavailable']) });
  }
  /** Replaces pods only when they are deleted, not on template changes. */
  onDelete(): this {
    return this.set({ updateStrategy: { type: 'OnDelete' } });
  }
  /** The DaemonSet object. */
  build(): DaemonSet {
    const spec: DaemonSetSpec = { ...structuredClone(this.s.fields), selector: this.selector(), template: this.templateSpec() };
    return validateBuilt({ apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: this.objectMeta(), spec });
  }
}

// ---------------------------------------------------------------- Job and CronJob

type JobFields = Omit<JobSpec, 'template' | 'selector' | 'manualSelector'>;

/** Job settings shared by Job and CronJob. */
abstract class JobLike<F extends { job: JobFields }> extends WorkloadBuilder<F> {
  protected readonly restartPolicies = ['OnFailure', 'Never'] as const;
  #job(patch: JobFields): this {
    return this.set({ job: { ...this.s.fields.job, ...patch } } as Partial<F>);
  }
  /** How many pods must succeed. */
  completions(n: number): this {
    return this.#job({ completions: count('completions', n) });
  }
  /** How many pods may run at once. */
  parallelism(n: number): this {
    return this.#job({ parallelism: count('parallelism', n) });
  }
  /** Retries before the Job fails. */
  backoffLimit(n: number): this {
    return this.#job({ backoffLimit: count('backoffLimit', n) });
  }
  /** Seconds a Job may run before it is stopped and marked failed. */
  activeDeadlineSeconds(seconds: number): this {
    return this.#job({ activeDeadlineSeconds: count('activeDeadlineSeconds', seconds, 1) });
  }
  /** Deletes the finished Job after this many seconds. */
  ttlSecondsAfterFinished(seconds: number): this {
    return this.#job({ ttlSecondsAfterFinished: count('ttlSecondsAfterFinished', seconds) });
  }
  /** `Indexed` gives each completion an index (JOB_COMPLETION_INDEX). */
  completionMode(mode: 'NonIndexed' | 'Indexed'): this {
    return this.#job({ completionMode: mode });
  }
  protected jobSpec(): JobSpec {
    return { ...structuredClone(this.s.fields.job), template: this.templateSpec() };
  }
}

/** Starts a Job; its pod template must set restartPolicy OnFailure or Never. */
export function job(name: string, template: PodBuilder): JobBuilder {
  return new JobBuilder(start('Job', name, template, { job: {} }));
}

/** An immutable Job under construction; start one with {@link job}. */
export class JobBuilder extends JobLike<{ job: JobFields }> {
  protected readonly kind = 'Job';
  protected copy(s: WorkloadState<{ job: JobFields }>): this {
    return new JobBuilder(s) as this;
  }
  /** Creates the Job suspended (no pods until resumed). */
  suspend(suspend = true): this {
    return this.set({ job: { ...this.s.fields.job, suspend } });
  }
  /** The Job object. */
  build(): Job {
    return validateBuilt({ apiVersion: 'batch/v1', kind: 'Job', metadata: this.objectMeta(), spec: this.jobSpec() });
  }
}

type CronFields = { job: JobFields; cron: Omit<CronJobSpec, 'jobTemplate' | 'schedule'>; schedule: string };

const CRON_MACROS = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);

function cronSchedule(schedule: string): string {
  const s = schedule.trim();
  if (CRON_MACROS.has(s) || /^@every\s+\S+$/.test(s)) return schedule;
  const body = s.replace(/^(CRON_TZ|TZ)=\S+\s+/, '');
  if (body.split(/\s+/).length !== 5) {
    throw new BuilderError('InvalidArgument', `cron schedule ${JSON.stringify(schedule)} must have five fields (minute hour day-of-month month day-of-week), e.g. '0 3 * * *', or be a macro such as '@daily'`, 'spec.schedule');
  }
  return schedule;
}

/** Starts a CronJob: a Job from this template on a cron schedule. */
export function cronJob(name: string, schedule: string, template: PodBuilder): CronJobBuilder {
  return new CronJobBuilder(start('CronJob', name, template, { job: {}, cron: {}, schedule: cronSchedule(schedule) }));
}

/** An immutable CronJob under construction; start one with {@link cronJob}. */
export class CronJobBuilder extends JobLike<CronFields> {
  protected readonly kind = 'CronJob';
  protected copy(s: WorkloadState<CronFields>): this {
    return new CronJobBuilder(s) as this;
  }
  #cron(patch: CronFields['cron']): this {
    return this.set({ cron: { ...this.s.fields.cron, ...patch } });
  }
  /** Sets the cron schedule (`0 3 * * *`). */
  schedule(schedule: string): this {
    return this.set({ schedule: cronSchedule(schedule) });
  }
  /** What to do when a run is due while the last one still runs. */
  concurrencyPolicy(policy: 'Allow' | 'Forbid' | 'Replace'): this {
    return this.#cron({ concurrencyPolicy: policy });
  }
  /** Stops scheduling new runs. */
  suspend(suspend = true): this {
    return this.#cron({ suspend });
  }
  /** An IANA time zone such as 'Europe/Berlin'. */
  timeZone(zone: string): this {
    return this.#cron({ timeZone: zone });
  }
  /** Seconds after its time a missed run may still start. */
  startingDeadlineSeconds(seconds: number): this {
    return this.#cron({ startingDeadlineSeconds: count('startingDeadlineSeconds', seconds) });
  }
  /** How many finished Jobs to keep. */
  successfulJobsHistoryLimit(n: number): this {
    return this.#cron({ successfulJobsHistoryLimit: count('successfulJobsHistoryLimit', n) });
  }
  /** How many failed Jobs to keep. */
  failedJobsHistoryLimit(n: number): this {
    return this.#cron({ failedJobsHistoryLimit: count('failedJobsHistoryLimit', n) });
  }
  /** The CronJob object. */
  build(): CronJob {
    const spec: CronJobSpec = { ...structuredClone(this.s.fields.cron), schedule: this.s.fields.schedule, jobTemplate: { spec: this.jobSpec() } };
    return validateBuilt({ apiVersion: 'batch/v1', kind: 'CronJob', metadata: this.objectMeta(), spec });
  }
}
