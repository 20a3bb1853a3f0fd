// npm run demo: the whole story against the bundled simulators. Starts the Apple API simulator (HTTPS, its
// own CA) and the Apple Business API simulator, then runs each bundled action exactly as GitHub would
// (node dist/<action>/index.js with INPUT_* variables and the runner's command files): register devices,
// provision a certificate and a profile (and the post step's cleanup), keep it, recreate it for a new
// device, rotate it, assign devices to a device management service, show the installed files and the job
// summaries, the nightly report and prune. Exits non-zero when a step fails or a secret would have been printed.
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { BUNDLES, Masker, runAction } from './demo/runner.mjs';
import { summaryToText } from './demo/summary.mjs';

const { startBusinessSimulator, startSimulator } = await import(pathToFileURL(path.join(BUNDLES, 'simulator', 'index.js')).href);
const started = Date.now();
const work = await mkdtemp(path.join(tmpdir(), 'apple-signing-demo-'));
const masker = new Masker();
const transcript = [];
/** Prints a line as the runner shows it: masked values as ***, the demo's temporary paths shortened. */
const print = (text = '') => {
  const line = masker.apply(text).split(path.join(work, 'home')).join('~').split(work).join('$DEMO');
  transcript.push(line);
  console.log(line);
};
const demo = { work, home: path.join(work, 'home'), workspace: path.join(work, 'workspace'), caFile: path.join(work, 'simulator-ca.pem'), masker, print };
await mkdir(demo.workspace, { recursive: true });

const sim = await startSimulator({ tls: true });
await writeFile(demo.caFile, sim.caCertPem);
const key = sim.addKey({ api: 'app-store-connect', kind: 'team' });
const business = await startBusinessSimulator({ pollsToComplete: 2 });
const account = business.addAccount();
/** Secrets the demo knows of; none may appear in what it printed. */
const secrets = [key.privateKeyPem, account.privateKeyPem];

// The account: two devices (one disabled), the app's bundle ID, its widget's and a Sign in with Apple services
// ID (platform SERVICES, as real accounts have; all three match filter[identifier]=com.example.demo, so the
// client must match exactly).
sim.seed.device({ udid: '00008110-000A1B2C3D4E5F60', name: 'Ana iPhone 15', platform: 'IOS' });
sim.seed.device({ udid: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678', name: 'Old QA iPad', platform: 'IOS', status: 'DISABLED' });
sim.seed.bundleId({ identifier: 'com.example.demo', name: 'Demo' });
sim.seed.bundleId({ identifier: 'com.example.demo.widget', name: 'Demo Widget' });
sim.seed.bundleId({ identifier: 'com.example.demo.signin', name: 'Demo Sign in with Apple', platform: 'SERVICES' });
// The organisation in Apple Business: a Jamf server and three lab Macs, one already elsewhere.
const jamf = business.seed.mdmServer({ serverName: 'Jamf Pro' });
const intune = business.seed.mdmServer({ serverName: 'Intune' });
const serials = ['C02XK1AAJGH5', 'C02XK1ABJGH5', 'C02XK1ACJGH5'];
for (const s of serials) business.seed.device({ serialNumber: s, assignedServerId: s === serials[2] ? intune.id : null });

const api = { 'key-id': key.keyId, 'issuer-id': key.issuerId, 'private-key': key.privateKeyPem, 'api-base-url': sim.url };
const profileInputs = { ...api, 'bundle-id': 'com.example.demo', 'profile-type': 'IOS_APP_ADHOC' };
const counts = [];
const summaries = [];
const bold = process.stdout.isTTY ? (t) => `\x1b[1m${t}\x1b[0m` : (t) => t;
const heading = (n, text) => print(`\n${bold(`== ${n}. ${text}`)}`);
const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Stops the demo when a step did not do what the story says. */
function expectOutputs(result, expected) {
  for (const [k, v] of Object.entries(expected)) {
    if (result.outputs[k] !== v) throw new Error(`expected output ${k} = ${v}, got ${JSON.stringify(result.outputs[k])}`);
  }
}

/** Runs one step, then prints the requests it made (by method) and keeps its summary for the end. */
async function step(title, server, action, inputs, opts) {
  const before = server.requests.length;
  const result = await runAction(demo, action, inputs, opts);
  const made = server.requests.slice(before);
  const byMethod = {};
  for (const r of made) byMethod[r.method] = (byMethod[r.method] ?? 0) + 1;
  // Fetching an OAuth access token is a POST but changes nothing.
  const writes = made.filter((r) => r.method !== 'GET' && !r.path.startsWith('/auth/')).length;
  const detail = Object.entries(byMethod)
    .map(([m, n]) => `${m} ${n}`)
    .join(', ');
  const line = `${plural(made.length, 'request')}${detail ? ` (${detail})` : ''}, ${plural(writes, 'write')}`;
  print(`  requests: ${line}`);
  counts.push([title, line]);
  if (result.summary.trim()) summaries.push([title, result.summary]);
  return { ...result, writes };
}

async function listDir(dir) {
  try {
    return (await readdir(dir)).sort();
  } catch {
    return [];
  }
}

let failed = false;
try {
  print(`Apple API simulator ${sim.url} (team key ${key.keyId}); Business API simulator ${business.url}; files in ${work}`);

  heading(1, 'register-devices: a list with one new device, one disabled device to re-enable and one already there');
  const list = [
    '# Device ID\tDevice Name\tDevice Platform',
    '00008110-000A1B2C3D4E5F60\tAna iPhone 15\tios',
    'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678\tOld QA iPad\tios',
    '00008120-001122334455AABB\tBen iPhone 16\tios',
  ].join('\n');
  const registered = await step('register-devices', sim, 'register-devices', { ...api, devices: list });
  expectOutputs(registered, { registered: '1', enabled: '1', unchanged: '1', failed: '0' });

  heading(2, 'provision (root action): create-if-missing makes the certificate, then the IOS_APP_ADHOC profile for com.example.demo');
  const p12 = ['p12-base64', 'p12-password'];
  const main = await step('provision', sim, 'provision', { ...profileInputs, 'create-if-missing': 'true' }, { maskOutputs: p12 });
  expectOutputs(main, { 'certificate-created': 'true', created: 'true', decision: 'create' });
  for (const k of p12) if (main.outputs[k]) secrets.push(main.outputs[k]);
  for (const c of sim.state().certificates) if (c.privateKeyPem) secrets.push(c.privateKeyPem);
  const { profiles, bundleIds } = sim.state();
  const bundleOf = (p) => bundleIds.find((b) => b.id === p.bundleIdId)?.identifier;
  print(`  profiles on the account: ${profiles.map((p) => `'${p.name}' on ${bundleOf(p)}`).join('; ')}`);
  print('  (com.example.demo.widget got none: the bundle ID is matched exactly, never as a prefix)');
  if (profiles.some((p) => bundleOf(p) !== 'com.example.demo')) throw new Error('a profile was made for another bundle ID');

  heading('2b', 'provision post step (dist/download-certificate-post): removes the temporary identity files and keychain');
  const p12Path = main.outputs['p12-path'] ?? '';
  print(`  before: p12 file ${p12Path ? ((await listDir(path.dirname(p12Path))).includes(path.basename(p12Path)) ? 'present' : 'absent') : 'not written'}`);
  await step('provision (post)', sim, 'provision', {}, { bundle: 'download-certificate-post', state: main.state, runnerTemp: main.runnerTemp });
  const left = p12Path && (await listDir(path.dirname(p12Path))).includes(path.basename(p12Path));
  print(`  after: p12 file ${p12Path ? (left ? 'still present' : 'removed') : 'not written'}`);
  if (left) throw new Error('the post step left the p12 file behind');

  heading(3, 'ensure-profile again: the profile is current, kept with zero writes');
  const kept = await step('ensure-profile (kept)', sim, 'ensure-profile', profileInputs);
  expectOutputs(kept, { created: 'false', decision: 'keep', 'profile-uuid': main.outputs['profile-uuid'] });
  if (kept.writes !== 0) throw new Error(`keeping the profile was expected to write nothing, it wrote ${kept.writes} time(s)`);

  heading(4, 'register one more device, then ensure-profile: recreated because of the new device');
  await step('register-devices (one more)', sim, 'register-devices', { ...api, devices: '00008130-00AA11BB22CC33DD,Chen iPhone 16 Pro,ios' });
  const recreated = await step('ensure-profile (recreated)', sim, 'ensure-profile', profileInputs);
  expectOutputs(recreated, { created: 'true', decision: 'recreate' });

  heading(5, 'rotate-profile: a fresh profile whatever the state, previous-uuid names the one replaced');
  const rotated = await step('rotate-profile', sim, 'rotate-profile', profileInputs);
  expectOutputs(rotated, { created: 'true', 'previous-uuid': recreated.outputs['profile-uuid'] });
  print(`  previous-uuid ${rotated.outputs['previous-uuid']} -> profile-uuid ${rotated.outputs['profile-uuid']}`);

  heading('5b', 'signing-report (nightly): leftovers seeded on the account are found, each with the step that fixes it');
  const demoBundle = sim.state().bundleIds.find((b) => b.identifier === 'com.example.demo');
  const distribution = sim.seed.certificate({ certificateType: 'DISTRIBUTION', expiresAt: new Date(Date.now() + 12 * 86_400_000) });
  const seedProfile = (name, extra) =>
    sim.seed.profile({ name, profileType: 'IOS_APP_STORE', bundleId: demoBundle.id, certificateIds: [distribution.id], ...extra });
  seedProfile('com.example.demo old store', { expiresAt: new Date(Date.now() - 40 * 86_400_000) }); // expired, still ACTIVE
  seedProfile('com.example.demo broken', { state: 'INVALID' });
  seedProfile('com.example.demo store', {}); // valid, but its certificate expires in 12 days
  const report = await step('signing-report', sim, 'signing-report', { ...api, 'bundle-id': 'com.example.demo', 'warn-days': '30' });
  print(
    `  expiring ${report.outputs['expiring']}, expired ${report.outputs['expired']}, invalid ${report.outputs['invalid']}, duplicates ${report.outputs['duplicates']}`,
  );
  if (report.writes !== 0) throw new Error('signing-report wrote to the account');
  if (report.outputs['expired'] === '0' || report.outputs['invalid'] === '0') throw new Error('signing-report missed the seeded leftovers');

  heading('5c', 'prune-profiles: deletes the expired and INVALID profiles of com.example.demo, never a valid one; a second report is clean');
  const pruned = await step('prune-profiles', sim, 'prune-profiles', { ...api, 'bundle-id': 'com.example.demo' });
  print(
    `  deleted ${pruned.outputs['deleted']}: ${JSON.parse(pruned.outputs['profiles'] ?? '[]')
      .map((p) => `'${p.name}' (${p.reason})`)
      .join(', ')}`,
  );
  const after = await step('signing-report (after prune)', sim, 'signing-report', { ...api, 'bundle-id': 'com.example.demo', 'warn-days': '30' });
  expectOutputs(after, { expired: '0', invalid: '0', duplicates: '0' });
  print(`  expiring ${after.outputs['expiring']} (the certificate: renew it with download-certificate renew-days), expired 0, invalid 0, duplicates 0`);

  heading(6, 'a new share extension with push, associated domains and an App Group: ensure-bundle-id, then ensure-profile');
  const share = 'com.example.demo.share';
  const entitlementsFile = path.join(demo.workspace, 'Share.entitlements');
  await writeFile(
    entitlementsFile,
    [
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
      '<plist version="1.0"><dict>',
      '<key>aps-environment</key><string>development</string>',
      '<key>com.apple.developer.associated-domains</key><array><string>applinks:demo.example.com</string></array>',
      '<key>com.apple.security.application-groups</key><array><string>group.com.example.demo</string></array>',
      '</dict></plist>',
    ].join('\n'),
  );
  const bundleInputs = { ...api, 'bundle-id': share, entitlements: entitlementsFile };
  const made = await step('ensure-bundle-id', sim, 'ensure-bundle-id', bundleInputs);
  expectOutputs(made, { created: '1', changed: '1' });
  const steps = JSON.parse(made.outputs['manual-steps'] ?? '[]');
  if (steps.length !== 1 || !steps[0].includes('group.com.example.demo')) throw new Error('the App Group was expected as the one manual step');
  print(`  manual step: ${steps[0]}`);
  const again = await step('ensure-bundle-id (again)', sim, 'ensure-bundle-id', bundleInputs);
  if (again.writes !== 0) throw new Error(`a second ensure-bundle-id was expected to write nothing, it wrote ${again.writes} time(s)`);
  const shareProfile = await step('ensure-profile (extension)', sim, 'ensure-profile', {
    ...api,
    'bundle-id': share,
    'profile-type': 'IOS_APP_ADHOC',
    entitlements: entitlementsFile,
  });
  expectOutputs(shareProfile, { created: 'true', decision: 'create' });
  const plist = Buffer.from(shareProfile.outputs['profile-base64'] ?? '', 'base64').toString('latin1');
  /** The value the profile's plist (inside the CMS wrapper) gives a key, whitespace removed. */
  const granted = (k) => {
    const at = plist.indexOf(`<key>${k}</key>`);
    const m = at < 0 ? null : /^<key>[^<]*<\/key>\s*(<string>[^<]*<\/string>|<array\/>|<array>[\s\S]*?<\/array>)/.exec(plist.slice(at));
    return `${k}=${m ? m[1].replace(/\s+/g, '') : 'absent'}`;
  };
  const grants = ['aps-environment', 'com.apple.developer.associated-domains', 'com.apple.security.application-groups'].map(granted);
  print(`  the profile grants: ${grants.join(', ')} (the group follows once it is associated on the portal)`);
  if (grants[0]?.endsWith('absent') || !grants[1]?.includes('*')) throw new Error('the extension profile does not grant push and associated domains');

  heading(7, 'assign-devices (Apple Business API): three lab Macs to Jamf Pro, one moved from Intune');
  const assigned = await step('assign-devices', business, 'assign-devices', {
    'client-id': account.clientId,
    'key-id': account.keyId,
    'private-key': account.privateKeyPem,
    'api-base-url': business.url,
    'token-url': business.tokenUrl,
    'device-management-service': jamf.serverName,
    'serial-numbers': serials.join('\n'),
    'poll-interval-seconds': '0',
  });
  expectOutputs(assigned, { status: 'COMPLETED', assigned: '3', failed: '0' });
  const now = business
    .state()
    .devices.filter((d) => serials.includes(d.serialNumber))
    .map((d) => `${d.serialNumber} -> ${d.assignedServerId === jamf.id ? 'Jamf Pro' : d.assignedServerId}`);
  print(`  devices now: ${now.join(', ')}`);
  secrets.push(...business.issued().clientAssertions, ...business.issued().accessTokens, ...sim.tokensSeen());

  heading(8, 'installed profiles under the demo HOME');
  const folders = [
    path.join('Library', 'MobileDevice', 'Provisioning Profiles'),
    path.join('Library', 'Developer', 'Xcode', 'UserData', 'Provisioning Profiles'),
  ];
  for (const f of folders) {
    print(`  ~/${f}:`);
    for (const name of await listDir(path.join(demo.home, f))) print(`    ${name}`);
  }
  const file = rotated.outputs['profile-path'];
  const openssl = spawnSync('openssl', ['version'], { encoding: 'utf8' });
  if (!file) print('  (no profile-path output)');
  else if (openssl.status !== 0) print('  (openssl not found: not decoding the profile)');
  else {
    const cms = spawnSync('openssl', ['cms', '-verify', '-noverify', '-inform', 'DER', '-in', file], { encoding: 'utf8' });
    if (cms.status !== 0) throw new Error(`openssl could not read ${file}: ${cms.stderr.trim()}`);
    print(`  openssl cms -verify -noverify -inform DER -in ${path.basename(file)}:`);
    const xml = cms.stdout;
    const value = (k) => new RegExp(`<key>${k}</key>\\s*<string>([^<]*)</string>`).exec(xml)?.[1];
    const devices = /<key>ProvisionedDevices<\/key>\s*<array>([\s\S]*?)<\/array>/.exec(xml)?.[1] ?? '';
    print(`    Name: ${value('Name')}`);
    print(`    UUID: ${value('UUID')}`);
    print(`    TeamName: ${value('TeamName')}`);
    print(`    ProvisionedDevices: ${[...devices.matchAll(/<string>([^<]*)<\/string>/g)].map((m) => m[1]).join(', ')}`);
  }

  heading(9, 'job summaries (GITHUB_STEP_SUMMARY of each step, as text)');
  for (const [title, html] of summaries) {
    print(`  -- ${title}`);
    const lines = summaryToText(html);
    const cap = 14;
    for (const l of lines.slice(0, cap)) print(`    ${l}`);
    if (lines.length > cap) print(`    ... (${lines.length - cap} more lines)`);
  }

  print('\nRequests per step:');
  for (const [title, line] of counts) print(`  ${title.padEnd(28)} ${line}`);
} catch (err) {
  failed = true;
  print(`\nDemo step failed: ${err instanceof Error ? err.message : String(err)}`);
} finally {
  await sim.close();
  await business.close();
}

// A secret counts as printed when it, or any long line of it (a PEM body line), appears anywhere.
const pieces = secrets.flatMap((s) => (s ? [s, ...s.split(/\r?\n/).filter((l) => l.trim().length >= 16 && !l.startsWith('-----'))] : []));
const leaked = pieces.filter((s) => transcript.some((line) => line.includes(s)));
if (leaked.length > 0) {
  console.error(`Demo FAILED: ${leaked.length} secret value(s) appeared in its output.`);
  process.exit(1);
}
if (failed) {
  console.error(`Demo FAILED; its files are in ${work}`);
  process.exit(1);
}
await rm(work, { recursive: true, force: true });
print(`\nDemo finished: every step ran the bundled action against the simulators in ${((Date.now() - started) / 1000).toFixed(1)} s; no secret printed.`);
