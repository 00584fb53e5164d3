// The trace method on writers that make strace work hard: many threads at once, and threads
// born after attach.
import { afterEach, expect, it } from 'vitest';
import { livingChildren, startWriter, stopAllWriters } from '../../helpers/writers';
import { attach, waitForEvents } from './trace-fixtures';

afterEach(async () => {
  await stopAllWriters();
  expect(livingChildren()).toEqual([]);
});

// Eight threads write "T<k> <n>" 5,000 times; another starts a thread every 100 ms that writes
// one "S<m>" line and ends (case C07).
const THREADS = `
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>
static volatile int done;
static void *worker(void *arg) {
  char line[32];
  for (int n = 0; n < 5000; n++) {
    int len = snprintf(line, sizeof line, "T%ld %d\\n", (long)arg, n);
    write(1, line, len);
    usleep(500);
  }
  return NULL;
}
static void *once(void *arg) {
  char line[32];
  write(1, line, snprintf(line, sizeof line, "S%ld 0\\n", (long)arg));
  return NULL;
}
static void *spawner(void *arg) {
  for (long m = 0; !done; m++) {
    pthread_t t;
    pthread_create(&t, NULL, once, (void *)m);
    pthread_join(t, NULL);
    usleep(100000);
  }
  return NULL;
}
int main(void) {
  pthread_t w[8], s;
  pthread_create(&s, NULL, spawner, NULL);
  for (long k = 0; k < 8; k++) pthread_create(&w[k], NULL, worker, (void *)k);
  for (int k = 0; k < 8; k++) pthread_join(w[k], NULL);
  done = 1;
  pthread_join(s, NULL);
  return 0;
}
`;

it('captures every thread without gap, including threads born after attach', async () => {
  const writer = await startWriter({ language: 'c', source: THREADS });
  await writer.waitFor((out) => out.includes('T7 100\n'), 'the threads to be writing');

  const { source, sink } = await attach(writer.pid);
  await waitForEvents(sink, (s) => s.bytes(1).toString().split('S').length > 3);
  await waitForEvents(sink, (s) => s.events.length > 2000);
  await source.stop();
  await writer.exited;

  // Eight threads at once: strace printed calls in two halves, and each was joined whole.
  expect(source.stats.joined).toBeGreaterThan(0);
  // Threads are the target's own tasks, not other processes to list.
  expect(source.followed().map((p) => p.pid)).toEqual([writer.pid]);

  const byName = new Map<string, { pids: Set<number>; numbers: number[] }>();
  for (const event of sink.events) {
    for (const line of event.bytes.toString().split('\n').filter(Boolean)) {
      const [name, n] = line.split(' ');
      const entry = byName.get(name) ?? { pids: new Set(), numbers: [] };
      entry.pids.add(event.pid);
      entry.numbers.push(Number(n));
      byName.set(name, entry);
    }
  }
  const workers = [...byName].filter(([name]) => name.startsWith('T'));
  const born = [...byName].filter(([name]) => name.startsWith('S'));
  expect(workers.length).toBe(8);
  for (const [name, { pids, numbers }] of workers) {
    expect(pids.size, `${name} writes from one thread`).toBe(1);
    const first = numbers[0];
    expect(numbers, `${name} runs on without gap`).toEqual(numbers.map((_, i) => first + i));
  }
  expect(born.length).toBeGreaterThanOrEqual(2);
  const bornPids = born.map(([, e]) => [...e.pids][0]);
  expect(new Set(bornPids).size).toBe(born.length);
  expect(bornPids).not.toContain(writer.pid);
  const got = writer.stdout().toString();
  for (let k = 0; k < 8; k++) expect(got).toContain(`T${k} 4999\n`);
  expect(got.split('\n').filter((l) => l.startsWith('T')).length).toBe(40_000);
});
