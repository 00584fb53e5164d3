import { describe, expect, it } from 'vitest';
import {
  parseCgroupPath,
  parseContainerHints,
  parseNsPids,
} from '../../../main/engine/discovery/container-hints';

const ID = '3f4e2a1b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f';
const INNER = 'aa'.repeat(32);
const POD_UID = '0f1e2d3c-4b5a-6978-8a9b-acbdcedfe0f1';
const POD_UNDERSCORES = POD_UID.replaceAll('-', '_');
const STATUS_HOST = 'Name:\tsleep\nNSpid:\t4312\nNSpgid:\t4312\n';
const STATUS_NESTED = 'Name:\tsleep\nNSpid:\t4312\t1\nNSpgid:\t4312\t1\n';

describe('parseCgroupPath', () => {
  it.each([
    [`/system.slice/docker-${ID}.scope`, { id: ID, runtime: 'docker' }],
    [`/docker/${ID}`, { id: ID, runtime: 'docker' }],
    [`/system.slice/cri-containerd-${ID}.scope`, { id: ID, runtime: 'containerd' }],
    [`/machine.slice/libpod-${ID}.scope/container`, { id: ID, runtime: 'podman' }],
    [
      `/kubepods.slice/kubepods-pod${POD_UNDERSCORES}.slice/crio-${ID}.scope`,
      {
        id: ID,
        runtime: 'cri-o',
        podUid: POD_UID,
      },
    ],
  ])('reads %s', (path, expected) => {
    expect(parseCgroupPath(path)).toEqual(expected);
  });

  it('turns the underscores of a systemd kubepods slice into the dashes of the pod uid', () => {
    const path =
      '/kubepods.slice/kubepods-burstable.slice/' +
      `kubepods-burstable-pod${POD_UNDERSCORES}.slice/cri-containerd-${ID}.scope`;

    expect(parseCgroupPath(path)).toEqual({ id: ID, runtime: 'containerd', podUid: POD_UID });
  });

  it('reads a cgroupfs kubepods path, whose form names no runtime', () => {
    const hints = parseCgroupPath(`/kubepods/besteffort/pod${POD_UID}/${ID}`);

    expect(hints).toEqual({ id: ID, runtime: undefined, podUid: POD_UID });
  });

  it('takes the innermost container when containers nest (kind: pods inside a docker node)', () => {
    const path = `/docker/${ID}/kubepods/burstable/pod${POD_UID}/${INNER}`;

    expect(parseCgroupPath(path)).toMatchObject({ id: INNER, podUid: POD_UID });
  });

  it('finds nothing in a plain service, a user session or conmon', () => {
    expect(parseCgroupPath('/system.slice/nginx.service')).toEqual({});
    expect(parseCgroupPath('/user.slice/user-1000.slice/session-3.scope')).toEqual({});
    expect(parseCgroupPath(`/machine.slice/libpod-conmon-${ID}.scope`)).toEqual({});
    expect(parseCgroupPath('/')).toEqual({});
  });
});

describe('parseNsPids', () => {
  it('lists the pids outermost first, and nothing when the line is absent', () => {
    expect(parseNsPids(STATUS_NESTED)).toEqual([4312, 1]);
    expect(parseNsPids('Name:\tx\n')).toEqual([]);
  });
});

describe('parseContainerHints', () => {
  it('gives the cgroup v2 path, id, runtime and namespace pid of a docker container', () => {
    const cgroup = `0::/system.slice/docker-${ID}.scope\n`;

    expect(parseContainerHints(cgroup, STATUS_NESTED)).toEqual({
      cgroup: `/system.slice/docker-${ID}.scope`,
      id: ID,
      runtime: 'docker',
      nsPid: 1,
    });
  });

  it('keeps the cgroup v1 line that names the container', () => {
    const cgroup = [
      '12:pids:/',
      `11:memory:/kubepods/burstable/pod${POD_UID}/${ID}`,
      '1:name=systemd:/',
      '0::/',
      '',
    ].join('\n');

    expect(parseContainerHints(cgroup, STATUS_NESTED)).toEqual({
      cgroup: `/kubepods/burstable/pod${POD_UID}/${ID}`,
      id: ID,
      podUid: POD_UID,
      nsPid: 1,
    });
  });

  it('reports a bare pid namespace (unshare) with its pid there and the v2 path', () => {
    expect(parseContainerHints('0::/user.slice/x.scope\n', STATUS_NESTED)).toEqual({
      cgroup: '/user.slice/x.scope',
      nsPid: 1,
    });
  });

  it('gives nothing for a process of the host namespace outside any container', () => {
    expect(parseContainerHints('0::/system.slice/cron.service\n', STATUS_HOST)).toBeUndefined();
    expect(parseContainerHints('', '')).toBeUndefined();
  });
});
