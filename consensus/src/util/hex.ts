/** Lower-case 0x-prefixed hex of bytes. */
export function toHex(bytes: Uint8Array): string {
  return `0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex")}`;
}

/** Bytes of a 0x-prefixed (or bare) hex string; throws on odd length or a non-hex character. */
export function fromHex(hex: string): Uint8Array {
  const s = hex.startsWith("0x") || hex.startsWith("0X") ? hex.slice(2) : hex;
  if (s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) throw new Error(`invalid hex string: ${hex}`);
  return new Uint8Array(Buffer.from(s, "hex"));
}
