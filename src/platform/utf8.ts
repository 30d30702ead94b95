/** Size limits in the contract are in UTF-8 bytes, not in JavaScript's UTF-16 code units. */

const encoder = new TextEncoder()

/** The number of bytes `text` takes as UTF-8. */
export function utf8ByteLength(text: string): number {
  return encoder.encode(text).byteLength
}
