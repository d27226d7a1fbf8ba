// The programmatic API of `lab vm`: boot, stop, reset and inspect a lab's VMs; read their inventory.
export { vmUp, DEFAULT_SSH_TIMEOUT_SEC, type UpOptions, type UpResult } from './up.js';
export { vmDown, type DownOptions, type DownResult } from './down.js';
export { vmDestroy, type DestroyResult } from './destroy.js';
export { vmReset, type ResetOptions } from './reset.js';
export { vmSnapshotSave, vmSnapshotRestore, vmSnapshotList, type SnapshotListing } from './snapshot-commands.js';
export { PRISTINE, readSnapshots, snapshotsFile, type SnapshotRecord } from './snapshots.js';
export { vmStatus, type StatusResult, type VmStatus } from './status.js';
export { readInventoryFile, writeInventoryFile, vmInventory, defaultInventoryPath } from './inventory.js';
export { macFor, segmentFor, MANAGEMENT_NETWORK } from './identity.js';
export { sshArgs, sshRun, type SshTarget, type SshResult } from './ssh.js';
export { labHome, instanceDir, imagesRoot } from './paths.js';
export type { AccelChoice } from './accel.js';
export type { InstanceOptions } from './instance.js';
