/** Baton's version, as `baton --version` prints it and telemetry reports it (service.version). */
export const BATON_VERSION = '0.1.0';
