/**
 * Runs inside a network namespace of its own (`unshare -rn`, started by dynamodb-local.ts): brings up the
 * namespace's loopback, starts DynamoDB Local there — where it listens on "every interface" of a
 * namespace that has no interface but loopback — and relays to it the connections accepted on a socket
 * the parent made on 127.0.0.1 of the machine and handed over through the IPC channel. So the database
 * answers on the machine's loopback only, and on no other address, although it has no bind option.
 *
 * argv: relay.mjs <port inside> <java> <java args…>. Ends DynamoDB Local, and itself, when the parent
 * goes away (the IPC channel closes), on SIGTERM/SIGINT, and when java exits (with java's exit code).
 */
import { spawn } from 'node:child_process';
import { connect } from 'node:net';

const [innerPort, java, ...javaArgs] = process.argv.slice(2);

// java first: it takes a second or more to listen (on every interface of the namespace, which it may do
// before loopback is up); loopback comes up meanwhile, long before anything connects through it.
const setpriv = process.env.MEDCOMM_SETPRIV_COMMAND;
const server = spawn(setpriv || java, setpriv ? ['--pdeathsig', 'TERM', '--', java, ...javaArgs] : javaArgs, {
  stdio: ['ignore', 'inherit', 'inherit'],
});
server.on('error', (error) => {
  console.error(`relay: failed to execute ${java}: ${error.message}`);
  process.exit(71);
});
server.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 : 1)));

const ip = process.env.MEDCOMM_IP_COMMAND || 'ip';
let ipOutput = '';
const up = spawn(ip, ['link', 'set', 'lo', 'up'], { stdio: ['ignore', 'ignore', 'pipe'] });
up.stderr.on('data', (chunk) => {
  ipOutput += chunk;
});
const noLoopback = (why) => {
  console.error(`relay: could not bring up loopback in the namespace: ${why}`);
  if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
  process.exit(70);
};
up.on('error', (error) => noLoopback(error.message));
up.on('close', (code) => {
  if (code !== 0) noLoopback(ipOutput || `${ip} exited with ${code}`);
});

const stop = () => {
  if (server.exitCode === null && server.signalCode === null) server.kill('SIGTERM');
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.on('SIGHUP', stop);
process.on('disconnect', stop);

process.on('message', (message, listener) => {
  if (message !== 'listen' || !listener) return;
  listener.on('connection', (socket) => {
    socket.setNoDelay(true);
    const upstream = connect({ port: Number(innerPort), host: '127.0.0.1', noDelay: true });
    socket.pipe(upstream).pipe(socket);
    const close = () => {
      socket.destroy();
      upstream.destroy();
    };
    socket.on('error', close);
    upstream.on('error', close);
    socket.on('close', close);
    upstream.on('close', close);
  });
  process.send?.('listening');
});
