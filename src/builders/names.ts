// The name rules the API server enforces, checked where the name is written so the error
// points at the call that made it.
import { BuilderError } from './errors.js';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const IANA_SVC_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** A DNS-1123 label (container, volume, port-less names): lower case, digits, '-', at most 63. */
export function dnsLabel(what: string, name: string): string {
  if (name.length > 63 || !DNS_LABEL.test(name)) {
    throw new BuilderError('InvalidName', `${what} ${JSON.stringify(name)} must be a DNS label: at most 63 characters of a-z, 0-9 and '-', starting and ending with a letter or digit`, what);
  }
  return name;
}

/** A DNS-1123 subdomain (object names): labels joined by '.', at most 253. */
export function dnsSubdomain(what: string, name: string): string {
  if (name.length > 253 || !DNS_SUBDOMAIN.test(name)) {
    throw new BuilderError('InvalidName', `${what} ${JSON.stringify(name)} must be a DNS subdomain: at most 253 characters of a-z, 0-9, '-' and '.', starting and ending with a letter or digit`, what);
  }
  return name;
}

/** A port name (IANA_SVC_NAME): at most 15 characters, at least one letter, no '--'. */
export function portName(what: string, name: string): string {
  if (name.length > 15 || !IANA_SVC_NAME.test(name) || name.includes('--') || !/[a-z]/.test(name)) {
    throw new BuilderError('InvalidName', `${what} ${JSON.stringify(name)} must be an IANA service name: at most 15 characters of a-z, 0-9 and '-', with at least one letter and no '--'`, what);
  }
  return name;
}

/** A label or annotation key: an optional DNS-subdomain prefix and '/', then a name of at most 63. */
export function qualifiedName(what: string, key: string): string {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  const prefixOk = prefix === undefined || (prefix.length <= 253 && DNS_SUBDOMAIN.test(prefix));
  if (!prefixOk || name.length > 63 || !LABEL_NAME.test(name)) {
    throw new BuilderError('InvalidName', `${what} ${JSON.stringify(key)} must be [prefix/]name: an optional DNS-subdomain prefix, then at most 63 characters of A-Z, a-z, 0-9, '-', '_' and '.', starting and ending with a letter or digit`, what);
  }
  return key;
}

/** A label value: empty, or at most 63 characters of A-Z, a-z, 0-9, '-', '_' and '.'. */
export function labelValue(what: string, value: string): string {
  if (value.length > 63 || !LABEL_VALUE.test(value)) {
    throw new BuilderError('InvalidName', `${what} ${JSON.stringify(value)} must be empty or at most 63 characters of A-Z, a-z, 0-9, '-', '_' and '.', starting and ending with a letter or digit`, what);
  }
  return value;
}

/** A file mode for volumes: 0 to 0o777. */
export function fileMode(what: string, mode: number): number {
  if (!Number.isInteger(mode) || mode < 0 || mode > 0o777) {
    throw new BuilderError('InvalidArgument', `${what} ${mode} must be a file mode between 0 and 0o777 (write it in octal: 0o644)`, what);
  }
  return mode;
}
