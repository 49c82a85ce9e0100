import { useState } from 'preact/hooks';
import type { RepositoryStatus } from './api-types.js';
import { Dialog } from './dialog.js';
import { shortSha } from './format.js';

export interface DeployInput {
  repository: string;
  branch: string;
  /** Empty: the branch's head as last polled. */
  sha: string;
}

/** The form of a deploy at a chosen commit (a rollback, or a commit the engine has not polled yet). */
export function DeployDialog(props: {
  repositories: RepositoryStatus[];
  repository: string | undefined;
  onSubmit(input: DeployInput): Promise<void>;
  onClose(): void;
}) {
  const [name, setName] = useState(props.repository ?? props.repositories[0]?.name ?? '');
  const selected = props.repositories.find((repository) => repository.name === name);
  const heads = selected?.heads ?? [];
  const [branch, setBranch] = useState(heads[0]?.branch ?? selected?.branches[0] ?? '');
  const head = heads.find((known) => known.branch === branch);

  function choose(next: string) {
    setName(next);
    const repository = props.repositories.find((candidate) => candidate.name === next);
    setBranch(repository?.heads[0]?.branch ?? repository?.branches[0] ?? '');
  }

  return (
    <Dialog
      title="Deploy a commit"
      confirm="Deploy"
      onClose={props.onClose}
      onSubmit={(form) =>
        props.onSubmit({
          repository: name,
          branch: String(form.get('branch') ?? '').trim(),
          sha: String(form.get('sha') ?? '').trim(),
        })
      }
    >
      <p class="hint">
        Queues a run of this one branch at the commit given (the head when left empty), even when it is
        already deployed: a rollback. A paused repository waits until resumed.
      </p>
      <label for="deploy-repository">Repository</label>
      <select
        id="deploy-repository"
        name="repository"
        value={name}
        onChange={(event) => choose(event.currentTarget.value)}
        required
      >
        {props.repositories.map((repository) => (
          <option key={repository.name} value={repository.name}>
            {repository.name}
          </option>
        ))}
      </select>
      <label for="deploy-branch">Branch</label>
      <input
        id="deploy-branch"
        name="branch"
        list="deploy-branches"
        value={branch}
        onInput={(event) => setBranch(event.currentTarget.value)}
        required
        autocomplete="off"
        spellcheck={false}
      />
      <datalist id="deploy-branches">
        {heads.map((known) => (
          <option key={known.branch} value={known.branch} />
        ))}
      </datalist>
      <label for="deploy-sha">Commit SHA</label>
      <input
        id="deploy-sha"
        name="sha"
        pattern="[0-9a-fA-F]{40}|[0-9a-fA-F]{64}"
        title="A full commit SHA: 40 (or 64) hexadecimal digits"
        placeholder={head ? `the head, ${shortSha(head.sha)}` : 'the head of the branch'}
        aria-describedby="deploy-sha-hint"
        autocomplete="off"
        spellcheck={false}
      />
      <p id="deploy-sha-hint" class="hint">
        A full SHA of 40 hexadecimal digits (64 for SHA-256 repositories); empty deploys the head.
      </p>
    </Dialog>
  );
}
