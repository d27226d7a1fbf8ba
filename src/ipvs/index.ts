// The IPVS rule model: parse `ipvsadm -Sn`, diff against the desired services, render ipvsadm commands and save text.
export * from './model.js';
export { parseIpvsSave } from './parse.js';
export { diffIpvs, extraServices, type DiffOptions, type IpvsOp } from './diff.js';
export { renderOp, formatOp, renderSave, type SaveOptions } from './render.js';
