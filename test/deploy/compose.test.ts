import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEFAULT_PORTS } from '../../lib/config.js';
import { SERVICES } from '../../lib/domain.js';
import { repoPath } from '../../lib/paths.js';
import { execFileSync } from 'node:child_process';

interface ComposeService {
  readonly command?: readonly string[];
  readonly environment?: Readonly<Record<string, string>>;
  readonly ports?: readonly string[];
  readonly healthcheck?: { readonly test: readonly string[] };
  readonly depends_on?: Readonly<Record<string, unknown>>;
}

const compose = async (): Promise<Record<string, ComposeService>> => {
  const document = parse(await readFile(repoPath('docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, ComposeService> };
  return document.services;
};

/** Every variable the code reads from the environment, found in the source itself. */
const variablesReadByCode = (): Set<string> => {
  // `env.NAME`, `env['NAME']`, or a quoted NAME handed to a reader such as `optional(env, 'NAME')`.
  const out = execFileSync('git', ['grep', '--untracked', '-hoE', "env\\.[A-Z][A-Z0-9_]+|'([A-Z][A-Z0-9]*_[A-Z0-9_]+|HOST)'", '--', 'lib', 'gateway', 'scripts', 'seed', 'subgraphs'], {
    cwd: repoPath(),
    encoding: 'utf8',
  });
  const names = new Set(out.split('\n').map((line) => line.replace(/^.*?([A-Z][A-Z0-9_]+)'?$/, '$1')).filter(Boolean));
  // Per-service ports and URLs are read through a template (`${service}_PORT`).
  for (const service of SERVICES) {
    names.add(`${service.toUpperCase()}_PORT`);
    names.add(`${service.toUpperCase()}_URL`);
  }
  return names;
};

describe('docker-compose.yml', () => {
  it('runs every service in its own container on its default port, with a readiness check', async () => {
    const services = await compose();
    for (const name of SERVICES) {
      const service = services[name];
      expect(service, name).toBeDefined();
      expect(service?.command?.join(' ')).toBe(`npm run start:${name}`);
      expect(service?.ports).toContain(`${DEFAULT_PORTS[name]}:${DEFAULT_PORTS[name]}`);
      // Readiness, not liveness: `depends_on: service_healthy` must wait until a service can answer.
      expect(service?.healthcheck?.test.join(' ')).toContain(`127.0.0.1:${DEFAULT_PORTS[name]}/ready`);
      expect(service?.environment?.DATABASE_URL).toMatch(/^postgres:\/\/.+@postgres:5432\//);
    }
  });

  it('has PostgreSQL, and every service waits for it to be healthy', async () => {
    const services = await compose();
    expect(services.postgres?.healthcheck).toBeDefined();
    for (const name of SERVICES) expect(services[name]?.depends_on?.postgres).toEqual({ condition: 'service_healthy' });
  });

  it('points the gateway at each subgraph by its service name and port', async () => {
    const services = await compose();
    for (const name of SERVICES.filter((service) => service !== 'gateway')) {
      expect(services.gateway?.environment?.[`${name.toUpperCase()}_URL`]).toBe(`http://${name}:${DEFAULT_PORTS[name]}/graphql`);
    }
  });

  it('sets only variables the code reads', async () => {
    const known = variablesReadByCode();
    const services = await compose();
    for (const name of SERVICES) {
      for (const variable of Object.keys(services[name]?.environment ?? {})) expect(known, `${name}: ${variable}`).toContain(variable);
    }
  });

  it('has a start script for every service it runs', async () => {
    const scripts = (JSON.parse(await readFile(repoPath('package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    for (const name of SERVICES) expect(scripts[`start:${name}`], name).toBeDefined();
  });
});
