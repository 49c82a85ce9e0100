import { ApiException } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { callKube } from '../src/kube/call.js';
import { isRetryable, type KubeAction, kubeError, kubeFailure } from '../src/kube/errors.js';

const ACTION: KubeAction = {
  verb: 'create',
  resource: 'pipelineruns.tekton.dev',
  namespace: 'ci',
  server: 'https://kube.example:6443',
};

function status(code: number, reason: string, message: string, details?: unknown) {
  return new ApiException(
    code,
    'Unsuccessful HTTP Request',
    { kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message, details },
    {
      'content-type': 'application/json',
    },
  );
}

describe('Kubernetes errors', () => {
  it('403 says which verb on which resource is missing and points at deploy/rbac', () => {
    const failure = kubeFailure(
      status(
        403,
        'Forbidden',
        'pipelineruns.tekton.dev is forbidden: User "system:serviceaccount:sentry:sentry-git" cannot create resource "pipelineruns"',
      ),
    );
    expect(failure && isRetryable(failure)).toBe(false);
    const error = kubeError(failure!, ACTION);
    expect(error.code).toBe('KUBE_FORBIDDEN');
    expect(error.message).toBe(
      'Kubernetes answered 403 Forbidden to create pipelineruns.tekton.dev in namespace ci (https://kube.example:6443): pipelineruns.tekton.dev is forbidden: User "system:serviceaccount:sentry:sentry-git" cannot create resource "pipelineruns" Fix: The service account (or kubeconfig user) lacks "create" on pipelineruns.tekton.dev in namespace ci; grant it (see deploy/rbac/ for the Role each mode needs).',
    );
  });

  it('422 keeps the Status message and lists causes it does not already hold', () => {
    const failure = kubeFailure(
      status(
        422,
        'Invalid',
        'PipelineRun.tekton.dev "deploy-abcde" is invalid: spec.params[0].value: Required value',
        {
          causes: [
            { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.params[0].value' },
            { reason: 'FieldValueInvalid', message: 'Unsupported value', field: 'spec.status' },
          ],
        },
      ),
    );
    const error = kubeError(failure!, ACTION);
    expect(error.code).toBe('KUBE_INVALID');
    expect(error.message).toContain(
      'is invalid: spec.params[0].value: Required value\n  - spec.status: Unsupported value',
    );
    expect(error.message).not.toContain('  - spec.params[0].value');
  });

  it('404 on a collection suspects a missing CRD, on an object a deletion', () => {
    expect(
      kubeError(
        kubeFailure(status(404, 'NotFound', 'the server could not find the requested resource'))!,
        ACTION,
      ).message,
    ).toMatch(/Tekton Pipelines with the tekton\.dev\/v1 API/);
    const get: KubeAction = { ...ACTION, verb: 'get', name: 'deploy-abcde' };
    expect(kubeError(kubeFailure(status(404, 'NotFound', 'not found'))!, get).message).toMatch(
      /pipelineruns\.tekton\.dev\/deploy-abcde no longer exists in namespace ci/,
    );
  });

  it('a connection error is retryable and says the server could not be reached', () => {
    const error = Object.assign(
      new Error('request to https://kube.example:6443/ failed, reason: connect ECONNREFUSED'),
      {
        name: 'FetchError',
        type: 'system',
        code: 'ECONNREFUSED',
        errno: 'ECONNREFUSED',
      },
    );
    const failure = kubeFailure(error)!;
    expect(failure.status).toBeNull();
    expect(isRetryable(failure)).toBe(true);
    const sentry = kubeError(failure, ACTION);
    expect(sentry.code).toBe('KUBE_UNREACHABLE');
    expect(sentry.message).toMatch(/^Kubernetes could not reach the API server to create/);
  });

  it('redacts credentials in the server URL', () => {
    const failure = kubeFailure(status(500, 'InternalError', 'boom'))!;
    expect(
      kubeError(failure, { ...ACTION, server: 'https://user:secret@kube.example' }).message,
    ).not.toContain('secret');
  });

  it('an abort is not a Kubernetes failure', () => {
    expect(kubeFailure(Object.assign(new Error('aborted'), { name: 'AbortError' }))).toBeUndefined();
  });
});

describe('callKube', () => {
  it('retries 429 and 5xx (honouring Retry-After) up to max_retries, then explains', async () => {
    const answers = [
      new ApiException(429, 'x', { kind: 'Status', message: 'slow down' }, { 'retry-after': '0' }),
      new ApiException(503, 'x', { kind: 'Status', message: 'unavailable' }, { 'retry-after': '0' }),
    ];
    const notes: string[] = [];
    let calls = 0;
    const result = await callKube(
      ACTION,
      async () => {
        calls += 1;
        const answer = answers.shift();
        if (answer) throw answer;
        return 'created';
      },
      { signal: new AbortController().signal, maxRetries: 2, onRetry: (line) => notes.push(line) },
    );
    expect(result).toBe('created');
    expect(calls).toBe(3);
    expect(notes).toEqual([
      'Kubernetes create pipelineruns.tekton.dev failed (429); retry 1 of 2',
      'Kubernetes create pipelineruns.tekton.dev failed (503); retry 2 of 2',
    ]);

    let failures = 0;
    await expect(
      callKube(
        ACTION,
        async () => {
          failures += 1;
          throw new ApiException(503, 'x', { kind: 'Status', message: 'still down' }, { 'retry-after': '0' });
        },
        { signal: new AbortController().signal, maxRetries: 1 },
      ),
    ).rejects.toMatchObject({
      code: 'KUBE_ERROR',
      message: expect.stringContaining('answered 503 to create'),
    });
    expect(failures).toBe(2);
  });

  it('does not retry a 4xx, and asks recover() before retrying a create whose answer was lost', async () => {
    let calls = 0;
    await expect(
      callKube(
        ACTION,
        async () => {
          calls += 1;
          throw status(409, 'AlreadyExists', 'exists');
        },
        { signal: new AbortController().signal, maxRetries: 3 },
      ),
    ).rejects.toMatchObject({ code: 'KUBE_CONFLICT' });
    expect(calls).toBe(1);

    const recovered = await callKube(
      ACTION,
      async () => {
        throw new ApiException(502, 'x', 'bad gateway', { 'retry-after': '0' });
      },
      { signal: new AbortController().signal, maxRetries: 3, recover: async () => 'found it' },
    );
    expect(recovered).toBe('found it');
  });

  it("rejects with the signal's reason once aborted", async () => {
    const controller = new AbortController();
    const reason = new Error('stop');
    await expect(
      callKube(
        ACTION,
        async () => {
          controller.abort(reason);
          throw new ApiException(503, 'x', 'down', {});
        },
        { signal: controller.signal, maxRetries: 3 },
      ),
    ).rejects.toBe(reason);
  });
});
