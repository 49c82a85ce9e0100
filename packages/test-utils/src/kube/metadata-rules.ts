import type { StatusCause } from './status.js';
import { isRecord, type KubeObject } from './types.js';

const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function invalidValue(field: string, value: string, why: string): StatusCause {
  return { reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(value)}: ${why}`, field };
}

const SUBDOMAIN_RULE =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

/** Why a value is not a DNS subdomain, or null when it is one. */
function subdomainProblem(value: string): string | null {
  if (value.length > 253) return 'must be no more than 253 characters';
  return SUBDOMAIN.test(value) ? null : SUBDOMAIN_RULE;
}

function keyErrors(field: string, key: string): StatusCause[] {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  const causes: StatusCause[] = [];
  const prefixProblem = prefix === undefined ? null : subdomainProblem(prefix);
  if (prefixProblem) causes.push(invalidValue(field, key, `prefix part ${prefixProblem}`));
  if (name.length > 63 || !LABEL_NAME.test(name)) {
    causes.push(
      invalidValue(
        field,
        key,
        "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') and be no more than 63 characters",
      ),
    );
  }
  return causes;
}

/** The name rules for a kind: namespaces are DNS labels, everything else here a DNS subdomain. */
function nameErrors(object: KubeObject): StatusCause[] {
  const name = object.metadata.name ?? '';
  if (object.kind === 'Namespace' && !DNS_LABEL.test(name)) {
    return [
      invalidValue(
        'metadata.name',
        name,
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
      ),
    ];
  }
  const problem = subdomainProblem(name);
  return problem ? [invalidValue('metadata.name', name, problem)] : [];
}

/** The API server's ObjectMeta validation: name, labels (keys and values) and annotation keys. */
export function metadataErrors(object: KubeObject): StatusCause[] {
  const causes = nameErrors(object);
  const labels = object.metadata.labels;
  if (labels !== undefined && !isRecord(labels)) {
    causes.push({
      reason: 'FieldValueInvalid',
      message: 'Invalid value: must be a map',
      field: 'metadata.labels',
    });
  }
  for (const [key, value] of Object.entries(isRecord(labels) ? labels : {})) {
    causes.push(...keyErrors('metadata.labels', key));
    if (typeof value !== 'string' || value.length > 63 || !LABEL_VALUE.test(value)) {
      causes.push(
        invalidValue(
          'metadata.labels',
          String(value),
          "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
        ),
      );
    }
  }
  const annotations = object.metadata.annotations;
  for (const key of Object.keys(isRecord(annotations) ? annotations : {})) {
    causes.push(...keyErrors('metadata.annotations', key));
  }
  return causes;
}
