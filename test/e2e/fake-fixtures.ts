// The fake bridge's process list: one of each kind of fd target and method
// the process list must show (pipe with readers, files with and without O_APPEND, tty,
// /dev/null and socket, a root process that cannot be traced, a process in a
// Kubernetes pod's container).

import type { MethodChoice, ProcessInfo } from '../../preload/contract';

const allowed = (
  method: 'file' | 'trace' | 'pipe',
  alternatives: ('pipe' | 'file')[] = [],
): MethodChoice => ({
  method,
  allowed: true,
  alternatives,
});
const pipe = (fd: number, inode: number, readers: { pid: number; comm: string }[]) => ({
  fd,
  kind: 'pipe' as const,
  link: `pipe:[${inode}]`,
  inode,
  readers,
});
const proc = (p: Partial<ProcessInfo> & Pick<ProcessInfo, 'pid' | 'command'>): ProcessInfo => ({
  ppid: 1,
  uid: 1000,
  user: 'dev',
  argv: p.command.split(' '),
  exe: '',
  comm: p.command.split(' ')[0].split('/').pop() ?? '',
  state: 'S',
  startedAt: Date.now() - 3_600_000,
  tracerPid: 0,
  threads: 1,
  fds: [],
  methods: { '1': allowed('trace'), '2': allowed('trace') },
  ...p,
});

const CONTAINER_ID = '3f4e2a1b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f';
const POD_UID = '0f1e2d3c-4b5a-6978-8a9b-acbdcedfe0f1';

/**
 * Seven processes; the first, a Python worker on pipes in a pod's container (pid 1 there), is
 * the one tests capture.
 */
export const FIXTURE_PROCESSES: ProcessInfo[] = [
  proc({
    pid: 4312,
    command: 'python3 /srv/app/worker.py --queue jobs',
    exe: '/usr/bin/python3.11',
    threads: 4,
    fds: [
      { fd: 0, kind: 'null', link: '/dev/null' },
      pipe(1, 88231, [{ pid: 901, comm: 'containerd-shim' }]),
      pipe(2, 88232, [{ pid: 901, comm: 'containerd-shim' }]),
    ],
    methods: { '1': allowed('trace', ['pipe']), '2': allowed('trace', ['pipe']) },
    container: {
      cgroup:
        '/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod' +
        `${POD_UID.replaceAll('-', '_')}.slice/cri-containerd-${CONTAINER_ID}.scope`,
      id: CONTAINER_ID,
      runtime: 'containerd',
      podUid: POD_UID,
      nsPid: 1,
    },
  }),
  proc({
    pid: 2210,
    command: 'nginx: worker process',
    user: 'www-data',
    uid: 33,
    exe: '/usr/sbin/nginx',
    fds: [
      { fd: 0, kind: 'null', link: '/dev/null' },
      { fd: 1, kind: 'file', link: '/var/log/nginx/access.log', append: true, size: 81234 },
      { fd: 2, kind: 'file', link: '/var/log/nginx/error.log', append: true, size: 512 },
    ],
    methods: {
      '1': { method: 'file', allowed: true, alternatives: [] },
      '2': { method: 'file', allowed: true, alternatives: [] },
    },
  }),
  proc({
    pid: 2950,
    command: 'java -jar /opt/billing/billing.jar',
    exe: '/usr/lib/jvm/java-17/bin/java',
    threads: 31,
    fds: [
      { fd: 0, kind: 'null', link: '/dev/null' },
      // Started as `java -jar billing.jar > /var/log/billing/out.log`: no O_APPEND.
      { fd: 1, kind: 'file', link: '/var/log/billing/out.log', append: false, size: 1048576 },
      { fd: 2, kind: 'file', link: '/var/log/billing/out.log', append: false, size: 1048576 },
    ],
    methods: {
      '1': { method: 'file', allowed: true, alternatives: ['trace'] },
      '2': { method: 'file', allowed: true, alternatives: ['trace'] },
    },
  }),
  proc({
    pid: 3107,
    command: 'node /home/dev/api/server.js --port 8080',
    exe: '/usr/bin/node',
    fds: [
      { fd: 0, kind: 'tty', link: '/dev/pts/3' },
      { fd: 1, kind: 'tty', link: '/dev/pts/3' },
      { fd: 2, kind: 'tty', link: '/dev/pts/3' },
    ],
  }),
  proc({
    pid: 1,
    command: '/sbin/init splash',
    user: 'root',
    uid: 0,
    exe: '',
    fds: [],
    unreadable: 'fds not readable: owned by root',
    methods: {
      '1': {
        method: 'trace',
        allowed: false,
        reason: 'pid 1 belongs to root; tracing it needs root or CAP_SYS_PTRACE',
        alternatives: [],
      },
      '2': {
        method: 'trace',
        allowed: false,
        reason: 'pid 1 belongs to root; tracing it needs root or CAP_SYS_PTRACE',
        alternatives: [],
      },
    },
  }),
  proc({
    pid: 5120,
    command: 'postgres: checkpointer',
    user: 'postgres',
    uid: 112,
    exe: '/usr/lib/postgresql/15/bin/postgres',
    fds: [
      { fd: 0, kind: 'null', link: '/dev/null' },
      { fd: 1, kind: 'null', link: '/dev/null' },
      { fd: 2, kind: 'socket', link: 'socket:[44120]', inode: 44120 },
    ],
  }),
  proc({
    pid: 6001,
    command: 'bash -c ./build.sh | tee build.log',
    exe: '/usr/bin/bash',
    fds: [
      { fd: 0, kind: 'tty', link: '/dev/pts/1' },
      pipe(1, 99120, [{ pid: 6002, comm: 'tee' }]),
      { fd: 2, kind: 'tty', link: '/dev/pts/1' },
    ],
    methods: { '1': allowed('trace', ['pipe']), '2': allowed('trace') },
  }),
];
