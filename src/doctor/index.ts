/** `rolecall doctor` as a library: the account checks over snapshots of the live state. */
export { diagnose } from './doctor.ts';
export { accountSnapshot, knownAccounts, snapshotServices } from './snapshot.ts';
export { DOCTOR_CHECKS, doctorCheck, type DoctorCheck } from './registry.ts';
export * from './types.ts';
