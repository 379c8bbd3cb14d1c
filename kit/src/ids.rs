//! Random ids for idempotency keys (`request_id`) and message client ids.

/// 128 bits from `crypto.getRandomValues`, as 32 lower-case hex digits. `None` if
/// the browser has no crypto.
pub fn random_id() -> Option<String> {
    let mut bytes = [0u8; 16];
    web_sys::window()?
        .crypto()
        .ok()?
        .get_random_values_with_u8_array(&mut bytes)
        .ok()?;
    Some(hex(&bytes))
}

/// `bytes` as lower-case hex digits.
pub fn hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    bytes
        .iter()
        .flat_map(|b| [HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]])
        .map(char::from)
        .collect()
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    #[test]
    fn ids_are_lower_hex() {
        assert_eq!(super::hex(&[0x00, 0x9f, 0xff]), "009fff");
    }
}
