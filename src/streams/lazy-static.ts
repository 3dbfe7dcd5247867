/** lazy.ts as the node build has it: the same functions, imported statically (see lazy.ts for why). */
import { copyFromPod, copyToPod } from './cp.js';
import { sessionQuery, startSession } from './exec.js';
import type { CopyStreams, PortForwardStreams, PortStreams, SessionStreams } from './lazy.js';
import { startPortForward } from './port-forward.js';
import { openPortStream } from './port-stream.js';

export type { CopyStreams, PortForwardStreams, PortStreams, SessionStreams };

export const sessionStreams = (): Promise<SessionStreams> => Promise.resolve({ sessionQuery, startSession });
export const copyStreams = (): Promise<CopyStreams> => Promise.resolve({ copyToPod, copyFromPod });
export const portForwardStreams = (): Promise<PortForwardStreams> => Promise.resolve({ startPortForward });
export const portStreams = (): Promise<PortStreams> => Promise.resolve({ openPortStream });
