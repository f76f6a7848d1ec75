// The execution layer of the beacon node: the Engine API HTTP client, the in-process mock engine, the loopback
// Engine API server around it, JWT helpers and the JSON conversions.
export * from "./errors.ts";
export * from "./http.ts";
export * from "./json.ts";
export * from "./jwt.ts";
export * from "./mock.ts";
export * from "./server.ts";
export * from "./types.ts";
