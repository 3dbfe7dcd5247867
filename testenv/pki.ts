import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { TestEnvError } from './errors.js';

const run = promisify(execFile);

export interface CertPair {
  readonly certFile: string;
  readonly keyFile: string;
}

export interface IssueOptions {
  readonly commonName: string;
  readonly organizations?: readonly string[];
  /** Subject alternative names, e.g. ['IP:127.0.0.1', 'DNS:localhost']. */
  readonly altNames?: readonly string[];
  readonly usage: 'server' | 'client' | 'both';
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

async function openssl(args: string[]): Promise<void> {
  try {
    await run('openssl', args, { timeout: 30_000 });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') {
      throw new TestEnvError('start', 'pki', 'the `openssl` command is needed to create the throwaway CA; install OpenSSL (apt-get install openssl)', { cause: err });
    }
    throw new TestEnvError('start', 'pki', `openssl ${args[0]} failed`, { logTail: e.stderr?.trim(), cause: err });
  }
}

function subject(o: IssueOptions): string {
  const orgs = (o.organizations ?? []).map((g) => `/O=${g.replace(/[/=]/g, '_')}`).join('');
  return `/CN=${o.commonName.replace(/[/=]/g, '_')}${orgs}`;
}

/** A throwaway certificate authority in `dir` (ca.crt, ca.key). ECDSA P-256: fast to make, accepted by every component. */
export async function createCA(dir: string): Promise<CertPair> {
  const pair = { certFile: join(dir, 'ca.crt'), keyFile: join(dir, 'ca.key') };
  await openssl([
    'req', '-x509', '-new', ...EC,
    '-keyout', pair.keyFile, '-out', pair.certFile, '-days', '3650',
    '-subj', '/CN=kubefluent-testenv-ca',
    '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature',
  ]);
  return pair;
}

/** A key and a certificate signed by `ca`, written as `<name>.crt` / `<name>.key` in `dir`. */
export async function issue(dir: string, name: string, ca: CertPair, o: IssueOptions): Promise<CertPair> {
  const pair = { certFile: join(dir, `${name}.crt`), keyFile: join(dir, `${name}.key`) };
  const eku = o.usage === 'server' ? 'serverAuth' : o.usage === 'client' ? 'clientAuth' : 'serverAuth,clientAuth';
  const args = [
    'req', '-x509', '-new', ...EC,
    '-keyout', pair.keyFile, '-out', pair.certFile,
    '-CA', ca.certFile, '-CAkey', ca.keyFile, '-days', '365',
    '-subj', subject(o),
    '-addext', 'basicConstraints=critical,CA:FALSE',
    '-addext', 'keyUsage=critical,digitalSignature,keyEncipherment',
    '-addext', `extendedKeyUsage=${eku}`,
  ];
  if (o.altNames?.length) args.push('-addext', `subjectAltName=${o.altNames.join(',')}`);
  await openssl(args);
  return pair;
}

/** The key pair the API server signs service-account tokens with (sa.key, sa.pub). */
export async function createServiceAccountKey(dir: string): Promise<{ keyFile: string; pubFile: string }> {
  const keyFile = join(dir, 'sa.key');
  const pubFile = join(dir, 'sa.pub');
  await openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-out', keyFile]);
  await openssl(['pkey', '-in', keyFile, '-pubout', '-out', pubFile]);
  return { keyFile, pubFile };
}
