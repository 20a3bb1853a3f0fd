/** An app target's entitlements files, read and translated together. */
import { mergeWanted, translateEntitlements, type Translation } from './capabilities.js';
import { readEntitlementsFile, type Entitlements } from './read.js';

export interface TargetEntitlements {
  /** Every file's keys (a later file's value wins for the same key). */
  entitlements: Entitlements;
  translation: Translation;
}

export async function loadEntitlements(files: readonly string[], identifier: string, input = 'entitlements'): Promise<TargetEntitlements> {
  const out: TargetEntitlements = { entitlements: {}, translation: { capabilities: [], manualSteps: [], unknownKeys: [] } };
  for (const file of files) {
    const ent = await readEntitlementsFile(file, input);
    Object.assign(out.entitlements, ent);
    const t = translateEntitlements(ent, file, identifier);
    for (const w of t.capabilities) mergeWanted(out.translation.capabilities, w);
    for (const s of t.manualSteps) if (!out.translation.manualSteps.includes(s)) out.translation.manualSteps.push(s);
    for (const k of t.unknownKeys) if (!out.translation.unknownKeys.includes(k)) out.translation.unknownKeys.push(k);
  }
  return out;
}
