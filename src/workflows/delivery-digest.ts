/**
 * A delivery ID as the job remembers it for de-duplication: 16 hex digits (FNV-1a, 64 bits) whatever the ID's length,
 * so the memory a job carries into continue-as-new is the same size however long the IDs that reach it
 * (docs/architecture.md "Invariants"). Two IDs of one digest would make the second look like a repeat of the first:
 * with 64 bits and at most REMEMBERED_DELIVERIES IDs remembered, about one chance in 10^17 per delivery, and nobody
 * can aim one at a delivery GitHub has yet to send (its GUID is random). A delivery taken for a repeat loses the job
 * nothing the next event or poll does not bring.
 */
export function deliveryDigest(deliveryId: string): string {
  let hash = FNV_OFFSET;
  for (let i = 0; i < deliveryId.length; i++) hash = ((hash ^ BigInt(deliveryId.charCodeAt(i))) * FNV_PRIME) & MASK_64;
  return hash.toString(16).padStart(16, '0');
}

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK_64 = 0xffffffffffffffffn;
