import { describe, expect, it } from 'vitest';
import { kubeFixture, watchWith } from './kube-helpers.js';

const CONFIGMAPS = '/api/v1/namespaces/default/configmaps';

function configMap(name: string, labels: Record<string, string> = {}, namespace = 'default') {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace, labels }, data: {} };
}

describe('fake kube watch (through client-node Watch)', () => {
  it('without a resourceVersion: the current objects as ADDED, then live changes', async () => {
    const { kube, config } = await kubeFixture({ validate: false });
    kube.create(configMap('before'));
    const log = await watchWith(config, CONFIGMAPS, {});
    await log.waitFor((event) => event.object.metadata?.name === 'before');
    kube.create(configMap('after'));
    await log.waitFor((event) => event.type === 'ADDED' && event.object.metadata?.name === 'after');
    expect(log.events.map((event) => [event.type, event.object.metadata?.name])).toEqual([
      ['ADDED', 'before'],
      ['ADDED', 'after'],
    ]);
    expect(log.events[0]!.object).toMatchObject({ apiVersion: 'v1', kind: 'ConfigMap' });
  });

  it('from a resourceVersion: replays what happened since, in order, then goes on', async () => {
    const { kube, config, objects } = await kubeFixture({ validate: false });
    const first = kube.create(configMap('one'));
    kube.create(configMap('two'));
    await objects.delete({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'one', namespace: 'default' },
    });
    const log = await watchWith(config, CONFIGMAPS, { resourceVersion: first.metadata.resourceVersion! });
    kube.create(configMap('three'));
    await log.waitFor((event) => event.object.metadata?.name === 'three');
    expect(log.events.map((event) => [event.type, event.object.metadata?.name])).toEqual([
      ['ADDED', 'two'],
      ['DELETED', 'one'],
      ['ADDED', 'three'],
    ]);
    const versions = log.events.map((event) => Number(event.object.metadata?.resourceVersion));
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
  });

  it('honours label and field selectors: leaving the selection is DELETED, entering it ADDED', async () => {
    const { kube, config, objects } = await kubeFixture({ validate: false });
    const start = kube.create(configMap('watched', { team: 'qa' }));
    const log = await watchWith(config, CONFIGMAPS, {
      labelSelector: 'team=qa',
      fieldSelector: 'metadata.name=watched',
      resourceVersion: start.metadata.resourceVersion!,
    });
    kube.create(configMap('other', { team: 'qa' }));
    const merge = (labels: Record<string, string | null>) =>
      objects.patch(
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'watched', namespace: 'default', labels },
        } as never,
        undefined,
        undefined,
        undefined,
        undefined,
        'application/merge-patch+json',
      );
    await merge({ team: 'ops' });
    await merge({ team: 'qa' });
    await merge({ extra: 'x' });
    await log.waitFor((event) => event.type === 'MODIFIED');
    expect(log.events.map((event) => [event.type, event.object.metadata?.labels])).toEqual([
      ['DELETED', { team: 'ops' }],
      ['ADDED', { team: 'qa' }],
      ['MODIFIED', { team: 'qa', extra: 'x' }],
    ]);
  });

  it('scopes to the namespace in the path; the cluster-wide path sees all', async () => {
    const { kube, config } = await kubeFixture({ validate: false, namespaces: ['default', 'ci'] });
    const scoped = await watchWith(config, CONFIGMAPS, {});
    const everywhere = await watchWith(config, '/api/v1/configmaps', {});
    kube.create(configMap('elsewhere', {}, 'ci'));
    kube.create(configMap('here'));
    await scoped.waitFor((event) => event.object.metadata?.name === 'here');
    await everywhere.waitFor((event) => event.object.metadata?.name === 'here');
    expect(scoped.events.map((event) => event.object.metadata?.name)).toEqual(['here']);
    expect(everywhere.events.map((event) => event.object.metadata?.name)).toEqual(['elsewhere', 'here']);
  });

  it('a resourceVersion older than the compacted history gets an ERROR event with 410 Expired, then the end', async () => {
    const { kube, config } = await kubeFixture({ validate: false });
    const old = kube.create(configMap('old'));
    const newer = kube.create(configMap('newer'));
    kube.compact();
    const log = await watchWith(config, CONFIGMAPS, { resourceVersion: old.metadata.resourceVersion! });
    expect(await log.done).toBeNull();
    expect(log.events).toEqual([
      {
        type: 'ERROR',
        object: {
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Failure',
          message: `too old resource version: ${old.metadata.resourceVersion} (${Number(old.metadata.resourceVersion) + 1})`,
          reason: 'Expired',
          code: 410,
        },
      },
    ]);
    // The current resourceVersion still works after compaction.
    const fresh = await watchWith(config, CONFIGMAPS, { resourceVersion: newer.metadata.resourceVersion! });
    kube.create(configMap('latest'));
    await fresh.waitFor((event) => event.object.metadata?.name === 'latest');
  });

  it('dropWatches(): a change in the same tick is not written to the ended stream; a new watch resumes', async () => {
    const { kube, config } = await kubeFixture({ validate: false });
    const log = await watchWith(config, CONFIGMAPS, {});
    const start = kube.create(configMap('first'));
    await log.waitFor((event) => event.object.metadata?.name === 'first');
    kube.dropWatches();
    kube.create(configMap('while-dropped'));
    expect(await log.done).toBeNull();
    expect(kube.watchCount()).toBe(0);
    const resumed = await watchWith(config, CONFIGMAPS, { resourceVersion: start.metadata.resourceVersion! });
    await resumed.waitFor((event) => event.object.metadata?.name === 'while-dropped');
    expect(log.events.map((event) => event.object.metadata?.name)).toEqual(['first']);
  });

  it('ends the stream after timeoutSeconds, as the API server does', async () => {
    const { config } = await kubeFixture({ validate: false });
    const log = await watchWith(config, CONFIGMAPS, { timeoutSeconds: '1' });
    expect(await log.done).toBeNull();
  });

  it('rejects a malformed resourceVersion or selector with 400 before streaming', async () => {
    const { kube } = await kubeFixture({ validate: false });
    const headers = { authorization: `Bearer ${kube.token}` };
    const bad = await fetch(`${kube.url}${CONFIGMAPS}?watch=1&resourceVersion=abc`, { headers });
    expect(bad.status).toBe(400);
    const selector = await fetch(`${kube.url}${CONFIGMAPS}?watch=true&fieldSelector=spec.x%3Dy`, { headers });
    expect(selector.status).toBe(400);
    expect(kube.watchCount()).toBe(0);
  });
});
