// Emulates the parts of macOS `security` that download-certificate uses, with the real tool's
// messages and exit codes, and records each call (argv, test-only) as one JSON line in calls.jsonl.
// State lives in $FAKE_SECURITY_DIR: keychains.json and search-list.json.
import { appendFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import forge from 'node-forge';

const dir = process.env.FAKE_SECURITY_DIR;
if (!dir) {
  process.stderr.write('fake security: FAKE_SECURITY_DIR is not set\n');
  process.exit(2);
}
const args = process.argv.slice(2);
appendFileSync(path.join(dir, 'calls.jsonl'), `${JSON.stringify({ args })}\n`);

const kcFile = path.join(dir, 'keychains.json');
const listFile = path.join(dir, 'search-list.json');
const keychains = existsSync(kcFile) ? JSON.parse(readFileSync(kcFile, 'utf8')) : {};
const defaultList = [path.join(process.env.HOME ?? '/Users/runner', 'Library/Keychains/login.keychain-db')];
let searchList = existsSync(listFile) ? JSON.parse(readFileSync(listFile, 'utf8')) : defaultList;

function save() {
  writeFileSync(kcFile, JSON.stringify(keychains, null, 2));
  writeFileSync(listFile, JSON.stringify(searchList));
}
function fail(code, message) {
  process.stderr.write(`security: ${message}\n`);
  process.exit(code);
}
function flag(name) {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}
function keychainArg() {
  const kc = args[args.length - 1];
  if (!keychains[kc]) fail(50, `SecKeychainOpen ${kc}: The specified keychain could not be found.`);
  return keychains[kc];
}

// DER of OID 1.2.840.113549.1.5.13 (PBES2): OpenSSL 3's default p12, which `security import` refuses
// on many macOS versions with this very message.
const PBES2 = Buffer.from('06092a864886f70d01050d', 'hex');

const [command] = args;
// FAKE_SECURITY_FAIL=<command>: that command fails as macOS does when the keychain is in a bad state.
if (process.env.FAKE_SECURITY_FAIL === command) {
  save();
  fail(1, `SecKeychainItemImport: The specified item could not be found in the keychain.`);
}
switch (command) {
  case 'create-keychain': {
    const kc = args[args.length - 1];
    if (existsSync(kc)) fail(48, 'SecKeychainCreate: A keychain with the same name already exists.');
    writeFileSync(kc, 'fake keychain\n');
    keychains[kc] = { password: flag('-p'), unlocked: true, settings: [], identities: [], partitionList: null };
    break;
  }
  case 'set-keychain-settings': {
    keychainArg().settings = args.slice(1, -1);
    break;
  }
  case 'unlock-keychain': {
    const kc = keychainArg();
    if (kc.password !== flag('-p')) fail(51, 'SecKeychainUnlock: The user name or passphrase you entered is not correct.');
    kc.unlocked = true;
    break;
  }
  case 'import': {
    const file = args[1];
    const kc = keychains[flag('-k')];
    if (!kc) fail(50, 'SecKeychainOpen: The specified keychain could not be found.');
    if (!kc.unlocked) fail(36, 'SecKeychainItemImport: User interaction is not allowed.');
    if (flag('-f') !== 'pkcs12') fail(1, 'SecKeychainItemImport: Unknown format in import.');
    const der = readFileSync(file);
    if (der.includes(PBES2)) fail(1, 'SecKeychainItemImport: MAC verification failed during PKCS12 import (wrong password?)');
    let p12;
    try {
      p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(der.toString('binary')), false, flag('-P') ?? '');
    } catch {
      fail(1, 'SecKeychainItemImport: MAC verification failed during PKCS12 import (wrong password?)');
    }
    const certs = p12.getBags({ bagType: forge.pki.oids.certBag })[forge.pki.oids.certBag] ?? [];
    const keys = p12.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag })[forge.pki.oids.pkcs8ShroudedKeyBag] ?? [];
    const trusted = args.flatMap((a, i) => (args[i - 1] === '-T' ? [a] : []));
    for (const bag of certs) {
      const certDer = forge.asn1.toDer(forge.pki.certificateToAsn1(bag.cert)).getBytes();
      kc.identities.push({
        commonName: bag.cert.subject.getField('CN')?.value,
        sha1: forge.md.sha1.create().update(certDer).digest().toHex().toUpperCase(),
        hasKey: keys.length > 0,
        trusted,
      });
    }
    process.stdout.write(`${certs.length} identit${certs.length === 1 ? 'y' : 'ies'} imported.\n`);
    break;
  }
  case 'set-key-partition-list': {
    const kc = keychainArg();
    if (kc.password !== flag('-k')) fail(51, 'SecKeychainItemSetAccessWithPassword: The user name or passphrase you entered is not correct.');
    kc.partitionList = flag('-S');
    // The real tool prints every key's attributes here, which is why callers keep its output quiet.
    process.stdout.write('attributes:\n    0x00000007 <blob>="fake"\n');
    break;
  }
  case 'list-keychains': {
    const i = args.indexOf('-s');
    if (i >= 0) searchList = args.slice(i + 1);
    else process.stdout.write(searchList.map((k) => `    "${k}"\n`).join(''));
    break;
  }
  case 'delete-keychain': {
    const kc = args[args.length - 1];
    if (!keychains[kc]) fail(50, 'SecKeychainDelete: The specified keychain could not be found.');
    delete keychains[kc];
    rmSync(kc, { force: true });
    searchList = searchList.filter((k) => k !== kc);
    break;
  }
  case 'find-identity': {
    const kc = keychainArg();
    kc.identities.forEach((id, n) => process.stdout.write(`  ${n + 1}) ${id.sha1} "${id.commonName}"\n`));
    process.stdout.write(`     ${kc.identities.length} identities found\n`);
    break;
  }
  default:
    fail(1, `fake security does not know '${command}'`);
}
save();
