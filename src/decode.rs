//! Content codings (gzip, brotli) decoded under a size cap: the outbound client's bodies
//! ([`crate::fetch`]) and the request bodies clients send compressed ([`crate::http`]). A
//! decoder never produces more than its cap, so a "zip bomb" costs at most the cap in memory.

use std::io::Read;

/// A content coding semreg decodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coding {
    /// `gzip` (and the legacy `x-gzip`).
    Gzip,
    /// `br`.
    Brotli,
}

impl Coding {
    /// The coding named by a `Content-Encoding` value; `Ok(None)` for none or `identity`,
    /// `Err` with the name for one semreg does not decode.
    pub fn from_header(value: &str) -> Result<Option<Self>, String> {
        match value.trim().to_ascii_lowercase().as_str() {
            "" | "identity" => Ok(None),
            "gzip" | "x-gzip" => Ok(Some(Coding::Gzip)),
            "br" => Ok(Some(Coding::Brotli)),
            other => Err(other.to_owned()),
        }
    }

    /// Its name in `Content-Encoding`.
    pub fn name(self) -> &'static str {
        match self {
            Coding::Gzip => "gzip",
            Coding::Brotli => "br",
        }
    }
}

/// Why a body could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The decoded bytes would pass the cap.
    #[error("the {coding} body decodes to more than {cap} bytes")]
    TooLarge {
        /// The coding.
        coding: &'static str,
        /// The cap, in bytes.
        cap: u64,
    },
    /// The bytes are not valid in the coding.
    #[error("the {coding} body cannot be decoded: {reason}")]
    Corrupt {
        /// The coding.
        coding: &'static str,
        /// What the decoder said.
        reason: String,
    },
}

/// Decodes `raw` in `coding`, producing at most `cap` bytes (blocking: call it off the async
/// runtime for large bodies).
pub fn decode_capped(coding: Coding, raw: &[u8], cap: u64) -> Result<Vec<u8>, DecodeError> {
    let mut reader: Box<dyn Read + '_> = match coding {
        Coding::Gzip => Box::new(flate2::read::MultiGzDecoder::new(raw)),
        Coding::Brotli => Box::new(brotli::Decompressor::new(raw, 64 * 1024)),
    };
    let mut out = Vec::new();
    reader
        .by_ref()
        .take(cap.saturating_add(1))
        .read_to_end(&mut out)
        .map_err(|e| DecodeError::Corrupt {
            coding: coding.name(),
            reason: e.to_string(),
        })?;
    if out.len() as u64 > cap {
        return Err(DecodeError::TooLarge {
            coding: coding.name(),
            cap,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        encoder.write_all(bytes).unwrap();
        encoder.finish().unwrap()
    }

    #[test]
    fn a_bomb_stops_at_the_cap() {
        let bomb = gzip(&vec![0u8; 10 * 1024 * 1024]);
        assert!(bomb.len() < 64 * 1024, "{} bytes", bomb.len());
        assert_eq!(
            decode_capped(Coding::Gzip, &bomb, 1024 * 1024),
            Err(DecodeError::TooLarge {
                coding: "gzip",
                cap: 1024 * 1024
            })
        );
        assert_eq!(
            decode_capped(Coding::Gzip, &bomb, 10 * 1024 * 1024)
                .unwrap()
                .len(),
            10 * 1024 * 1024
        );
    }

    #[test]
    fn codings_are_read_from_the_header() {
        assert_eq!(Coding::from_header(" GZIP "), Ok(Some(Coding::Gzip)));
        assert_eq!(Coding::from_header("identity"), Ok(None));
        assert_eq!(Coding::from_header("br"), Ok(Some(Coding::Brotli)));
        assert_eq!(Coding::from_header("zstd"), Err("zstd".to_owned()));
        assert!(matches!(
            decode_capped(Coding::Gzip, b"not gzip", 100),
            Err(DecodeError::Corrupt { .. })
        ));
    }
}
