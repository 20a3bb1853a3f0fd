// Shared set-up for the ensure-profile / rotate-profile tests: a fresh simulator per test, the API
// inputs for a key, and readers for the simulator's state and the files a step installed.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { ApiKeyCredentials, ProfileRecord, Simulator } from '../../simulator/index.js';

export const DAY = 86_400_000;

export function apiInputs(sim: Simulator, k: ApiKeyCredentials): Record<string, string> {
  return { 'key-id': k.keyId, 'issuer-id': k.issuerId ?? '', 'private-key': k.privateKeyPem, 'api-base-url': sim.url, api: k.api };
}

export const writes = (sim: Simulator): string[] => sim.requests.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path}`);
export const gets = (sim: Simulator): string[] => sim.requests.filter((r) => r.method === 'GET').map((r) => r.path);

export function profilesNamed(sim: Simulator, name: string, api?: 'app-store-connect' | 'enterprise'): ProfileRecord[] {
  return sim.state(api).profiles.filter((p) => p.name === name);
}

export function onlyProfile(sim: Simulator, name: string, api?: 'app-store-connect' | 'enterprise'): ProfileRecord {
  const found = profilesNamed(sim, name, api);
  if (found.length !== 1) throw new Error(`expected exactly one profile named '${name}', found ${found.length}`);
  return found[0] as ProfileRecord;
}

export const XCODE_DIRS = ['Library/MobileDevice/Provisioning Profiles', 'Library/Developer/Xcode/UserData/Provisioning Profiles'];

/** Files in both default install locations under a HOME. */
export async function installed(home: string): Promise<string[][]> {
  return Promise.all(XCODE_DIRS.map(async (d) => (await readdir(path.join(home, d)).catch(() => [] as string[])).sort()));
}

export interface ProfileJson {
  bundleId: string;
  profileId: string;
  profileUuid: string;
  profileName: string;
  profileType: string;
  profilePath: string;
  expirationDate: string;
  teamId: string;
  created: boolean;
  decision: string;
  reason: string;
  previousUuid?: string;
}

export function profilesOutput(outputs: Record<string, string>): ProfileJson[] {
  return JSON.parse(outputs['profiles'] ?? '[]') as ProfileJson[];
}
