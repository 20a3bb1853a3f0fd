import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ApiKeyCredentials, Simulator } from '../../simulator/index.js';
import { simulatorPerTest } from '../support/simulator-per-test.js';
import { runStep } from '../support/runner.js';
import { apiInputs, installed, onlyProfile, profilesOutput, writes, XCODE_DIRS } from './helpers.js';

let sim: Simulator;
let key: ApiKeyCredentials;

simulatorPerTest({ immediateDevices: 1000 }, (s, k) => {
  sim = s;
  key = k;
});

const NAME = 'com.example.app IOS_APP_ADHOC';
const inputs = (): Record<string, string> => ({ ...apiInputs(sim, key), 'bundle-id': 'com.example.app', 'profile-type': 'IOS_APP_ADHOC' });

function account() {
  const app = sim.seed.bundleId({ identifier: 'com.example.app' });
  const cert = sim.seed.certificate({ certificateType: 'DISTRIBUTION' });
  const phone = sim.seed.device({ udid: '00008110-000A1B2C3D4E5F60', name: 'Ana iPhone' });
  const ipad = sim.seed.device({ udid: '00008120-001122334455AABB', name: 'Ben iPad' });
  sim.seed.device({ udid: '00008130-00AABBCCDDEEFF01', name: 'Old iPod', status: 'DISABLED' });
  return { app, cert, phone, ipad };
}

describe('rotate-profile (bundled, over HTTP against the simulator)', () => {
  it('replaces a valid profile with a fresh one holding every enabled device, deletes the old one and its installed file', async () => {
    const { app, cert, phone, ipad } = account();
    const old = sim.seed.profile({ name: NAME, profileType: 'IOS_APP_ADHOC', bundleId: app.id, certificateIds: [cert.id], deviceIds: [phone.id] });
    // A first rotation replaces the seeded profile (which lacks the iPad) and installs the new one.
    const first = await runStep('rotate-profile', inputs());
    expect(first.exitCode, first.stdout).toBe(0);
    const mid = onlyProfile(sim, NAME);
    expect(first.outputs).toMatchObject({ 'previous-uuid': old.uuid, 'profile-uuid': mid.uuid, created: 'true', decision: 'recreate' });
    expect(mid.deviceIds.sort()).toEqual([phone.id, ipad.id].sort());

    sim.clearRequests();
    const run = await runStep('rotate-profile', inputs(), { home: first.home });
    expect(run.exitCode, run.stdout).toBe(0);
    const fresh = onlyProfile(sim, NAME);
    expect(fresh.id).not.toBe(mid.id);
    expect(fresh.uuid).not.toBe(mid.uuid);
    expect(run.outputs).toMatchObject({ 'previous-uuid': mid.uuid, 'profile-uuid': fresh.uuid, 'profile-id': fresh.id, created: 'true' });
    expect(profilesOutput(run.outputs)[0]).toMatchObject({ previousUuid: mid.uuid, profileUuid: fresh.uuid, decision: 'recreate' });
    expect(writes(sim)).toEqual([`DELETE /v1/profiles/${mid.id}`, 'POST /v1/profiles']);
    expect(await installed(run.home)).toEqual([[`${fresh.uuid}.mobileprovision`], [`${fresh.uuid}.mobileprovision`]]);
    const bytes = await readFile(path.join(run.home, XCODE_DIRS[1] as string, `${fresh.uuid}.mobileprovision`));
    expect(bytes.equals(Buffer.from(fresh.profileContent, 'base64'))).toBe(true);
  });

  it('creates the profile when there is none, with an empty previous-uuid', async () => {
    account();
    const run = await runStep('rotate-profile', inputs());
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs).toMatchObject({ 'previous-uuid': '', 'profile-uuid': onlyProfile(sim, NAME).uuid, decision: 'create' });
  });

  it('leaves exactly one profile of the name when Apple answers the delete and the create with 500 once each', async () => {
    const { app, cert, phone } = account();
    sim.seed.profile({ name: NAME, profileType: 'IOS_APP_ADHOC', bundleId: app.id, certificateIds: [cert.id], deviceIds: [phone.id] });
    sim.faults.add({ method: 'DELETE', path: /^\/v1\/profiles\//, status: 500, afterCommit: true });
    sim.faults.add({ method: 'POST', path: '/v1/profiles', status: 500, afterCommit: true });
    const run = await runStep('rotate-profile', inputs());
    expect(run.exitCode, run.stdout).toBe(0);
    const p = onlyProfile(sim, NAME);
    expect(run.outputs['profile-uuid']).toBe(p.uuid);
    expect(sim.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
  });

  it('changes nothing on a dry run', async () => {
    const { app, cert, phone } = account();
    const old = sim.seed.profile({ name: NAME, profileType: 'IOS_APP_ADHOC', bundleId: app.id, certificateIds: [cert.id], deviceIds: [phone.id] });
    const run = await runStep('rotate-profile', { ...inputs(), 'dry-run': 'true' });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(writes(sim)).toEqual([]);
    expect(onlyProfile(sim, NAME).id).toBe(old.id);
    expect(run.outputs).toMatchObject({ 'previous-uuid': old.uuid, decision: 'recreate', created: 'false', 'profile-uuid': '' });
  });
});
