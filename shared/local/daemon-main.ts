/** The database daemon's process (bin/medcomm.mjs __database-daemon HOME): see daemon.ts. */
import { runDaemon } from './daemon.js';

const home = process.argv[3] ?? process.env.MEDCOMM_DAEMON_HOME;
if (!home) throw new Error('usage: medcomm __database-daemon HOME');
await runDaemon(home);
