//! `0x`-prefixed lowercase hex, the spelling of every byte string and commitment in JSON bodies.
//! Decoding accepts the prefix or not, and either case.

use serde::{de, Deserialize, Deserializer, Serializer};
use sq_types::Commitment;

/// `0x` followed by the lowercase hex of `bytes`.
pub(crate) fn encode(bytes: &[u8]) -> String {
    format!("0x{}", hex::encode(bytes))
}

/// The bytes of `s`, with or without a leading `0x`.
pub(crate) fn decode(s: &str) -> Result<Vec<u8>, hex::FromHexError> {
    hex::decode(s.strip_prefix("0x").unwrap_or(s))
}

/// A 32-byte commitment from hex.
pub(crate) fn decode_commitment(s: &str) -> Result<Commitment, String> {
    let bytes = decode(s).map_err(|e| format!("not hex: {e}"))?;
    let arr: [u8; 32] = bytes
        .try_into()
        .map_err(|b: Vec<u8>| format!("expected 32 bytes, got {}", b.len()))?;
    Ok(Commitment(arr))
}

/// `#[serde(with)]` for `Vec<u8>` as a hex string.
pub(crate) mod bytes {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&encode(v))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s = String::deserialize(d)?;
        decode(&s).map_err(|e| de::Error::custom(format!("not hex: {e}")))
    }
}

/// `#[serde(with)]` for `Option<Vec<u8>>` as a hex string or `null`.
pub(crate) mod opt_bytes {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(v: &Option<Vec<u8>>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(v) => s.serialize_str(&encode(v)),
            None => s.serialize_none(),
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Vec<u8>>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|s| decode(&s).map_err(|e| de::Error::custom(format!("not hex: {e}"))))
            .transpose()
    }
}

/// `#[serde(with)]` for `Vec<Vec<u8>>` as an array of hex strings.
pub(crate) mod bytes_list {
    use super::*;
    use serde::ser::SerializeSeq;

    pub(crate) fn serialize<S: Serializer>(v: &[Vec<u8>], s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(v.len()))?;
        for item in v {
            seq.serialize_element(&encode(item))?;
        }
        seq.end()
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Vec<u8>>, D::Error> {
        Vec::<String>::deserialize(d)?
            .iter()
            .map(|s| decode(s).map_err(|e| de::Error::custom(format!("not hex: {e}"))))
            .collect()
    }
}

/// `#[serde(with)]` for a [`Commitment`] as a 32-byte hex string.
pub(crate) mod commitment {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(v: &Commitment, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&encode(&v.0))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Commitment, D::Error> {
        let s = String::deserialize(d)?;
        decode_commitment(&s).map_err(de::Error::custom)
    }
}
