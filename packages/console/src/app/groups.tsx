import type { GroupStatus } from './api-types.js';
import { useConsole } from './context.js';
import { PauseState } from './repositories.js';

/** The groups (repositories that deploy together): strategy, members, pause state. */
export function Groups({ groups }: { groups: GroupStatus[] }) {
  const { canAct, actions, now } = useConsole();
  if (groups.length === 0) return null;
  return (
    <section aria-labelledby="groups-title">
      <h2 id="groups-title">Groups</h2>
      <table>
        <thead>
          <tr>
            <th scope="col">Group</th>
            <th scope="col">Strategy</th>
            <th scope="col">Repositories</th>
            <th scope="col">State</th>
            {canAct && <th scope="col">Actions</th>}
          </tr>
        </thead>
        <tbody>
          {groups.map((group) => (
            <tr key={group.name} data-group={group.name}>
              <th scope="row">{group.name}</th>
              <td>
                {group.strategy}
                {group.strategy === 'parallel' && group.maxParallel ? (
                  <span class="muted small"> · {group.maxParallel} at once</span>
                ) : null}
                {group.continueOnError ? <span class="muted small"> · continues on error</span> : null}
              </td>
              <td>{group.repositories.join(', ')}</td>
              <td>
                <PauseState pause={group.paused} now={now} />
              </td>
              {canAct && (
                <td class="actions">
                  <button
                    type="button"
                    aria-label={`Trigger group ${group.name}`}
                    onClick={() => actions.trigger({ group: group.name })}
                  >
                    Trigger
                  </button>
                  {group.paused ? (
                    <button
                      type="button"
                      aria-label={`Resume group ${group.name}`}
                      onClick={() => actions.resume({ group: group.name })}
                    >
                      Resume
                    </button>
                  ) : (
                    <button
                      type="button"
                      aria-label={`Pause group ${group.name}`}
                      onClick={() => actions.pause({ group: group.name })}
                    >
                      Pause…
                    </button>
                  )}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
