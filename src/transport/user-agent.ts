/** Version reported in the User-Agent header. */
export const KUBEFLUENT_VERSION = '0.1.0';

/** `kubefluent/0.1.0 (node v20.20.2; linux/x64)`. */
export function defaultUserAgent(): string {
  return `kubefluent/${KUBEFLUENT_VERSION} (node ${process.version}; ${process.platform}/${process.arch})`;
}
