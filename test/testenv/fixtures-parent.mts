// Child process for lifecycle tests: starts a cluster, prints its pids and data dir, then waits to be killed.
import { startTestEnv } from '../../testenv/index.js';
const env = await startTestEnv({ nodes: 1 });
process.stdout.write(JSON.stringify({ pids: env.pids(), dataDir: env.dataDir }) + '\n');
setInterval(() => {}, 1 << 30);
