export { buildProgram, type GlobalOptions, VERSION } from "./program.ts";
