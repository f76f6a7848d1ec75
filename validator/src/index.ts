// This workspace is filled by later issues; see README.md.
export {};
