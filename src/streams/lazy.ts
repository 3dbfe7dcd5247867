/**
 * The streaming subresources as a resource handle reaches them: imported on the first exec,
 * attach, cp or port-forward, so a page that reads and writes objects does not load the
 * WebSocket framing, tar or local listeners. The node build puts lazy-static.ts in this
 * module's place (tsup.config.ts): on Node the entry loads them anyway, and a one-file bundle of
 * a dynamic import costs more than the static one.
 */
import type * as Cp from './cp.js';
import type * as Exec from './exec.js';
import type * as PortForward from './port-forward.js';
import type * as PortStream from './port-stream.js';

export type SessionStreams = Pick<typeof Exec, 'sessionQuery' | 'startSession'>;
export type CopyStreams = Pick<typeof Cp, 'copyToPod' | 'copyFromPod'>;
export type PortForwardStreams = Pick<typeof PortForward, 'startPortForward'>;
export type PortStreams = Pick<typeof PortStream, 'openPortStream'>;

export const sessionStreams = (): Promise<SessionStreams> => import('./exec.js');
export const copyStreams = (): Promise<CopyStreams> => import('./cp.js');
export const portForwardStreams = (): Promise<PortForwardStreams> => import('./port-forward.js');
export const portStreams = (): Promise<PortStreams> => import('./port-stream.js');
