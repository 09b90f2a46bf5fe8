/**
 * Compressed qcow2 clusters (zlib compression type): raw deflate data, followed by whatever
 * shares its last sector. Decompression stops once a whole cluster came out, as QEMU's
 * qcow2_decompress does, so the trailing bytes never matter. Uses the web platform's
 * DecompressionStream (Node 20 and browsers), so this works without node:zlib.
 */
import { BlockIoFailure } from '../errors.js';

export async function inflateCluster(
  compressed: Uint8Array,
  clusterSize: number,
): Promise<Uint8Array> {
  const out = new Uint8Array(clusterSize);
  let produced = 0;
  const stream = new DecompressionStream('deflate-raw');
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader();
  // Errors on the writing side show up on the reading side too; do not leave them unhandled.
  writer.write(compressed).catch(() => undefined);
  writer.close().catch(() => undefined);
  try {
    while (produced < clusterSize) {
      const { value, done } = await reader.read();
      if (done) break;
      const take = Math.min(value.length, clusterSize - produced);
      out.set(value.subarray(0, take), produced);
      produced += take;
    }
  } catch {
    // Junk after the end of the deflate stream is expected; only a short cluster is an error.
  } finally {
    reader.cancel().catch(() => undefined);
  }
  if (produced < clusterSize) {
    throw new BlockIoFailure(
      'io-error',
      `qcow2: a compressed cluster decompressed to ${produced} of ${clusterSize} bytes (corrupt image)`,
    );
  }
  return out;
}
