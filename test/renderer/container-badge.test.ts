import { describe, expect, it } from 'vitest';
import { containerBadge, containerSearchText } from '../../renderer/src/lib/container-badge';

const ID = 'ab'.repeat(32);

describe('containerBadge', () => {
  it('names a docker container by its runtime with its namespace pid', () => {
    const badge = containerBadge({ id: ID, runtime: 'docker', nsPid: 1, cgroup: '/docker/x' });

    expect(badge.label).toBe('docker · pid 1');
    expect(badge.tooltip).toBe(
      `container ${ID} (docker)\npid 1 in its own pid namespace\ncgroup /docker/x`,
    );
  });

  it('calls a pod a pod, and a bare pid namespace what it is', () => {
    expect(containerBadge({ podUid: 'u-1', id: ID }).label).toBe('pod');
    expect(containerBadge({ nsPid: 7, cgroup: '/' })).toEqual({
      label: 'pid ns · pid 7',
      tooltip: 'pid 7 in its own pid namespace\ncgroup /',
    });
  });

  it('gives search the id, pod uid and runtime', () => {
    expect(containerSearchText({ id: ID, podUid: 'u-1', runtime: 'cri-o' })).toBe(
      `${ID} u-1 cri-o`,
    );
    expect(containerSearchText(undefined)).toBe('');
  });
});
