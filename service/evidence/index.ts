// The evidence core: pure functions, no I/O. Shared by the service, the CLI and the verify page.
export * from "./bytes";
export * from "./canonical";
export * from "./chain-reader";
export * from "./deployment";
export * from "./errors";
export * from "./hash";
export * from "./location-disclosure";
export * from "./merkle";
export * from "./receipt";
export * from "./record";
export * from "./record-specs";
export * from "./sm2";
export * from "./stamp-story";
export * from "./usage";
export * from "./verify-receipt";
export * from "./verify-view";
