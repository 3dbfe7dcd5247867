// The kubefluent/controller entry: everything a custom controller needs above the runtime.
export * from './controller/index.js';
