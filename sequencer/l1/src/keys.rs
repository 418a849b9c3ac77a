//! Ethereum private keys given on a command line or in an environment variable.

use alloy::signers::local::PrivateKeySigner;

use crate::L1Error;

/// Parses an Ethereum (secp256k1) private key: 32 bytes as 64 hex digits, with or without
/// `0x`; surrounding whitespace (a trailing newline from a file) is ignored.
///
/// # Errors
/// [`L1Error::InvalidKey`] for anything else; the message never contains the key.
pub fn parse_private_key(text: &str) -> Result<PrivateKeySigner, L1Error> {
    text.trim()
        .parse()
        .map_err(|e: alloy::signers::local::LocalSignerError| L1Error::InvalidKey(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_parse_with_and_without_prefix_and_bad_ones_are_refused() {
        let hex = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
        let a = parse_private_key(hex).expect("bare hex");
        let b = parse_private_key(&format!(" 0x{hex}\n")).expect("0x and whitespace");
        assert_eq!(a.address(), b.address());
        for bad in ["", "0x", "zz", &hex[..62], &format!("{hex}00")] {
            let err = parse_private_key(bad).expect_err(bad);
            assert!(matches!(err, L1Error::InvalidKey(_)), "{bad}: {err}");
            assert!(
                !err.to_string().contains(hex),
                "the key never reaches a message"
            );
        }
    }
}
