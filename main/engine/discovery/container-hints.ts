// What a process's /proc files tell about the container it runs in: pure parsing of the texts
// of /proc/PID/cgroup and /proc/PID/status, so the same code serves local and remote hosts.
import type { ContainerHints } from '../../../preload/contract';

/** A cgroup path segment that names a container, with the runtime its form belongs to. */
const CONTAINER_SEGMENTS: [RegExp, string][] = [
  // systemd cgroup driver: docker-<id>.scope, cri-containerd-<id>.scope, crio-<id>.scope,
  // libpod-<id>.scope (podman). The conmon-* scopes hold the monitor, not the container.
  [/^docker-([0-9a-f]{64})\.scope$/, 'docker'],
  [/^cri-containerd-([0-9a-f]{64})\.scope$/, 'containerd'],
  [/^crio-([0-9a-f]{64})\.scope$/, 'cri-o'],
  [/^libpod-([0-9a-f]{64})\.scope$/, 'podman'],
];
/** cgroupfs driver: the id is a bare segment under /docker/ or a kubepods pod. */
const BARE_ID = /^[0-9a-f]{64}$/;
/** A pod uid in kubepods paths: pod<uid> as a segment, or -pod<uid>.slice (with _ for -). */
const UID_WITH_DASHES = '[0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{12}';
const POD = new RegExp(`(?:^|-)pod(${UID_WITH_DASHES}|[0-9a-f]{32})(?:\\.slice)?$`);

/** Hints found in one cgroup path. */
interface PathHints {
  id?: string;
  runtime?: string;
  podUid?: string;
}

/** The hints one cgroup path gives; the innermost container wins (kind nests them). */
export function parseCgroupPath(path: string): PathHints {
  const hints: PathHints = {};
  const segments = path.split('/').filter((s) => s !== '');
  segments.forEach((segment, i) => {
    for (const [pattern, runtime] of CONTAINER_SEGMENTS) {
      const match = pattern.exec(segment);
      if (match) {
        hints.id = match[1];
        hints.runtime = runtime;
      }
    }
    if (BARE_ID.test(segment)) {
      // Under a pod the path does not say which runtime made the container.
      hints.id = segment;
      hints.runtime = segments[i - 1] === 'docker' ? 'docker' : undefined;
    }
    const pod = POD.exec(segment);
    if (pod && (segment.startsWith('pod') || segment.startsWith('kubepods'))) {
      hints.podUid = pod[1].replaceAll('_', '-');
    }
  });
  return hints;
}

/** The path of each line of /proc/PID/cgroup ("hierarchy:controllers:path"). */
function cgroupPaths(text: string): { controllers: string; path: string }[] {
  const out: { controllers: string; path: string }[] = [];
  for (const line of text.split('\n')) {
    const first = line.indexOf(':');
    const second = line.indexOf(':', first + 1);
    if (first < 0 || second < 0) continue;
    out.push({ controllers: line.slice(first + 1, second), path: line.slice(second + 1) });
  }
  return out;
}

/** The pids of a process in each pid namespace, outermost first (status NSpid:). */
export function parseNsPids(statusText: string): number[] {
  const match = /^NSpid:\s*([\d\s]+)$/m.exec(statusText);
  return match ? match[1].trim().split(/\s+/).map(Number) : [];
}

/**
 * The container hints of a process from the texts of its /proc/PID/cgroup and
 * /proc/PID/status; undefined when nothing says it runs in a container or its own pid
 * namespace. The cgroup path kept is the one that named the container, else the unified
 * (cgroup v2) one.
 */
export function parseContainerHints(
  cgroupText: string,
  statusText: string,
): ContainerHints | undefined {
  const paths = cgroupPaths(cgroupText);
  let chosen = paths.find((p) => p.controllers === '') ?? paths[0];
  let found: PathHints = {};
  for (const p of paths) {
    const hints = parseCgroupPath(p.path);
    if (hints.id || hints.podUid) {
      chosen = p;
      found = hints;
      break;
    }
  }
  const nsPids = parseNsPids(statusText);
  const nsPid = nsPids.length > 1 ? nsPids[nsPids.length - 1] : undefined;
  if (!found.id && !found.podUid && nsPid === undefined) return undefined;

  const hints: ContainerHints = {};
  if (chosen) hints.cgroup = chosen.path;
  if (found.id) hints.id = found.id;
  if (found.runtime) hints.runtime = found.runtime;
  if (found.podUid) hints.podUid = found.podUid;
  if (nsPid !== undefined) hints.nsPid = nsPid;
  return hints;
}
