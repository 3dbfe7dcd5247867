// Entry point `kubefluent/testenv`: the local control plane lives in testenv/ and is bundled
// separately; nothing under src/ other than this file refers to it.
export * from '../testenv/index.js';
