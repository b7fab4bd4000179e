import { readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { Manifest } from './render-chart.ts';

const INT32 = 2 ** 31;

export type KubernetesValidator = (manifest: Manifest) => string[];

/**
 * Validates manifests against the strict JSON schemas of one Kubernetes version (unknown fields, wrong types and
 * missing required fields are errors). Returns error strings; an empty list means valid. A kind without a built-in
 * schema (a custom resource) is an error too, so callers check those another way.
 */
export async function createKubernetesValidator(schemaDir: string): Promise<KubernetesValidator> {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv, ['date-time']);
  ajv.addFormat('int32', { type: 'number', validate: (value: number) => Number.isInteger(value) && value >= -INT32 && value < INT32 });
  ajv.addFormat('int64', { type: 'number', validate: (value: number) => Number.isInteger(value) });
  ajv.addFormat('double', { type: 'number', validate: () => true });
  ajv.addFormat('byte', /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/);
  ajv.addSchema(JSON.parse(await readFile(path.join(schemaDir, '_definitions.json'), 'utf8')));

  const files = new Set(await readdir(schemaDir));
  const compiled = new Map<string, ValidateFunction>();

  return (manifest) => {
    const [group, version] = manifest.apiVersion.includes('/') ? manifest.apiVersion.split('/') : ['', manifest.apiVersion];
    // Schema files are named <kind>-<first label of the group; none for core>-<version>.json.
    const file = `${manifest.kind.toLowerCase()}${group ? `-${group.split('.')[0]}` : ''}-${version}.json`;
    if (!files.has(file)) return [`no Kubernetes schema for ${manifest.apiVersion} ${manifest.kind}`];
    let validate = compiled.get(file);
    if (!validate) {
      validate = ajv.compile(JSON.parse(readFileSync(path.join(schemaDir, file), 'utf8')));
      compiled.set(file, validate);
    }
    const label = `${manifest.kind}/${manifest.metadata.name}`;
    if (validate(manifest)) return [];
    return (validate.errors ?? []).map((error) => `${label}${error.instancePath} ${error.message ?? ''}`);
  };
}
