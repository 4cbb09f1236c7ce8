//! What a source task may ask the host while it runs (Kafka's `OffsetStorageReader`).

use crate::types::OffsetMap;

/// The last committed source offset for `partition`, or `None` if nothing was committed yet.
///
/// Only source plugins may call this (other plugin kinds do not import it). Outside WebAssembly
/// (unit tests) it always returns `None`.
pub fn offset(partition: &OffsetMap) -> Option<OffsetMap> {
    #[cfg(target_arch = "wasm32")]
    {
        let partition = crate::convert::offset_map_to_wit(partition);
        crate::__wit::wasm_connect::plugin::source_context::offset(&partition)
            .map(crate::convert::offset_map_from_wit)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = partition;
        None
    }
}
